using System;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace InitCore.Packaging
{
    /// <summary>
    /// Unity's .meta files: one beside every asset (file or folder) Unity imports, holding the asset's GUID
    /// and its importer's settings. The GUID is derived from the package name and the asset's path, so a
    /// rebuild writes the same GUIDs and the references that projects hold to the package's assets survive it.
    /// </summary>
    public static class UnityMeta
    {
        /// <summary>
        /// The asset's GUID: the first 16 bytes of SHA-256 over "<paramref name="packageName"/>/<paramref name="assetPath"/>"
        /// (the path relative to the package root with '/' separators), as 32 lowercase hex digits.
        /// </summary>
        public static string Guid(string packageName, string assetPath)
        {
            byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(packageName + "/" + assetPath.Replace('\\', '/')));
            return Convert.ToHexStringLower(hash.AsSpan(0, 16));
        }

        /// <summary>True when Unity's asset database ignores the entry: a name starting with '.' or ending with '~' (Samples~, Documentation~).</summary>
        public static bool IsHidden(string name) => name.StartsWith('.') || name.EndsWith('~');

        /// <summary>The importer Unity uses for an asset with this path: what the .meta file names.</summary>
        public static string ImporterFor(string assetPath, bool isFolder)
        {
            if (isFolder) return "DefaultImporter";
            string name = Path.GetFileName(assetPath);
            return name == "package.json" ? "PackageManifestImporter" : Path.GetExtension(name).ToLowerInvariant() switch
            {
                ".dll" => "PluginImporter",
                ".cs" => "MonoImporter",
                ".asmdef" => "AssemblyDefinitionImporter",
                ".md" or ".txt" or ".json" or ".xml" => "TextScriptImporter",
                _ => "DefaultImporter",
            };
        }

        /// <summary>The .meta text for the asset at <paramref name="assetPath"/> (relative to the package root).</summary>
        public static string For(string packageName, string assetPath, bool isFolder)
        {
            var meta = new StringBuilder();
            meta.Append("fileFormatVersion: 2\n");
            meta.Append("guid: ").Append(Guid(packageName, assetPath)).Append('\n');
            if (isFolder) meta.Append("folderAsset: yes\n");
            string importer = ImporterFor(assetPath, isFolder);
            meta.Append(importer).Append(":\n");
            meta.Append("  externalObjects: {}\n");
            switch (importer)
            {
                case "MonoImporter":
                    meta.Append("  serializedVersion: 2\n  defaultReferences: []\n  executionOrder: 0\n  icon: {instanceID: 0}\n");
                    break;
                case "PluginImporter":
                    // A managed plugin for every platform and the editor, referenced automatically by the
                    // project's scripts (isExplicitlyReferenced: 0).
                    meta.Append("  serializedVersion: 2\n  iconMap: {}\n  executionOrder: {}\n  defineConstraints: []\n");
                    meta.Append("  isPreloaded: 0\n  isOverridable: 0\n  isExplicitlyReferenced: 0\n  validateReferences: 1\n");
                    meta.Append("  platformData:\n");
                    meta.Append("  - first:\n      Any: \n    second:\n      enabled: 1\n      settings: {}\n");
                    meta.Append("  - first:\n      Editor: Editor\n    second:\n      enabled: 1\n      settings:\n        DefaultValueInitialized: true\n");
                    break;
            }
            meta.Append("  userData: \n  assetBundleName: \n  assetBundleVariant: \n");
            return meta.ToString();
        }

        /// <summary>
        /// Writes the .meta of every asset under <paramref name="packageRoot"/>: each file and folder outside hidden
        /// folders, and the contents of each sample folder in Samples~ (Unity copies them, .meta files included,
        /// into the project when the sample is imported, so their GUIDs are stable too). Documentation~ gets none:
        /// Unity never imports it.
        /// </summary>
        public static void WriteAll(string packageRoot, string packageName)
        {
            foreach (string entry in Assets(packageRoot))
            {
                string full = Path.Combine(packageRoot, entry);
                File.WriteAllText(full + ".meta", For(packageName, entry, Directory.Exists(full)));
            }
        }

        /// <summary>Every path (relative, '/' separators, sorted) under the package that must have a .meta file.</summary>
        public static string[] Assets(string packageRoot)
        {
            var assets = new System.Collections.Generic.List<string>();
            void Walk(string relative)
            {
                string dir = relative.Length == 0 ? packageRoot : Path.Combine(packageRoot, relative);
                foreach (string full in Directory.EnumerateFileSystemEntries(dir))
                {
                    string name = Path.GetFileName(full);
                    if (name.EndsWith(".meta", StringComparison.Ordinal)) continue;
                    string path = relative.Length == 0 ? name : relative + "/" + name;
                    bool folder = Directory.Exists(full);
                    if (relative == "Samples~")
                    {
                        if (folder) Walk(path); // the sample folder itself is not copied: its contents are the assets
                        continue;
                    }
                    if (IsHidden(name)) continue;
                    assets.Add(path);
                    if (folder) Walk(path);
                }
            }
            Walk("");
            if (Directory.Exists(Path.Combine(packageRoot, "Samples~"))) Walk("Samples~");
            return assets.Distinct().OrderBy(p => p, StringComparer.Ordinal).ToArray();
        }
    }
}
