using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace InitCore.Packaging
{
    /// <summary>
    /// Builds and validates the Unity Package Manager (UPM) folder com.initcore.engine:
    /// <list type="bullet">
    /// <item>package.json (name, version, displayName, description, unity, samples, documentation, changelog and license URLs);</item>
    /// <item>Runtime/: the netstandard2.1 engine DLL (and its XML docs) with its plugin import settings, an assembly
    /// definition (InitCore.Unity) and one script that reports the package's identity;</item>
    /// <item>Samples~/Basics: a MonoBehaviour that initializes and runs a policy network;</item>
    /// <item>Documentation~/: docs/*.md with the images they show, every link rewritten to resolve inside the
    /// package or, for repository files the package does not carry, to an absolute repository URL;</item>
    /// <item>README.md (links rewritten the same way), LICENSE.md, and CHANGELOG.md (docs/packaging/CHANGELOG.md, dated entries);</item>
    /// <item>a .meta file beside every asset (<see cref="UnityMeta"/>), GUIDs derived from the paths.</item>
    /// </list>
    /// </summary>
    public static class UpmPackage
    {
        /// <summary>The package's name: lowercase reverse-domain, as Unity requires.</summary>
        public const string Name = "com.initcore.engine";

        /// <summary>The repository URL placeholder used by every package (docs/packaging.md).</summary>
        public const string RepositoryUrl = "https://github.com/initcore/initcore";

        /// <summary>The oldest Unity version the package declares (package.json "unity").</summary>
        public const string MinimumUnity = "2021.3";

        /// <summary>The assembly definition in Runtime/: its name, and the assembly its script compiles to.</summary>
        public const string AssemblyDefinition = "InitCore.Unity";

        /// <summary>The changelog, relative to the repository root, that becomes the package's CHANGELOG.md.</summary>
        public const string ChangelogSource = "docs/packaging/CHANGELOG.md";

        /// <summary>Creates the package folder <paramref name="output"/> (replaced if it exists).</summary>
        /// <param name="output">The package folder to create.</param>
        /// <param name="runtimeDll">The netstandard2.1 build of InitCore.dll.</param>
        /// <param name="repositoryRoot">The repository root: README.md, LICENSE, docs/.</param>
        /// <param name="version">The package version, SemVer; CHANGELOG.md must have a dated entry for it.</param>
        public static void Build(string output, string runtimeDll, string repositoryRoot, string version)
        {
            if (!File.Exists(runtimeDll)) throw new FileNotFoundException($"The netstandard2.1 engine DLL was not found at {runtimeDll}; build src/InitCore for netstandard2.1 (Release) first.", runtimeDll);
            if (!File.Exists(Path.Combine(repositoryRoot, "README.md")) || !Directory.Exists(Path.Combine(repositoryRoot, "docs")))
                throw new DirectoryNotFoundException($"'{Path.GetFullPath(repositoryRoot)}' is not the InitCore repository root (README.md and docs/ are missing); pass --root with the repository's folder.");
            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
            Directory.CreateDirectory(Path.Combine(output, "Runtime"));
            Directory.CreateDirectory(Path.Combine(output, "Samples~", "Basics"));
            Directory.CreateDirectory(Path.Combine(output, "Documentation~"));

            File.Copy(runtimeDll, Path.Combine(output, "Runtime", "InitCore.dll"));
            string xml = Path.ChangeExtension(runtimeDll, ".xml");
            if (File.Exists(xml)) File.Copy(xml, Path.Combine(output, "Runtime", "InitCore.xml"));
            var asmdef = new Dictionary<string, object>
            {
                ["name"] = AssemblyDefinition,
                ["rootNamespace"] = AssemblyDefinition,
                ["references"] = Array.Empty<string>(),
                ["includePlatforms"] = Array.Empty<string>(),
                ["excludePlatforms"] = Array.Empty<string>(),
                ["allowUnsafeCode"] = false,
                ["overrideReferences"] = true,
                ["precompiledReferences"] = new[] { "InitCore.dll" },
                ["autoReferenced"] = true,
                ["defineConstraints"] = Array.Empty<string>(),
                ["versionDefines"] = Array.Empty<string>(),
                ["noEngineReferences"] = false,
            };
            WriteJson(Path.Combine(output, "Runtime", AssemblyDefinition + ".asmdef"), asmdef);
            File.WriteAllText(Path.Combine(output, "Runtime", "InitCorePackage.cs"), PackageScript.Replace("{NAME}", Name, StringComparison.Ordinal).Replace("{VERSION}", version, StringComparison.Ordinal));

            var package = new Dictionary<string, object>
            {
                ["name"] = Name,
                ["version"] = version,
                ["displayName"] = "InitCore",
                ["description"] = "Neural-network weight initialization (PyTorch and Keras semantics), LSUV and activation diagnostics, on NVIDIA GPUs through CUDA or on a SIMD CPU backend.",
                ["unity"] = MinimumUnity,
                ["license"] = "MIT",
                ["keywords"] = new[] { "neural-network", "initialization", "lsuv", "cuda" },
                ["author"] = new Dictionary<string, string> { ["name"] = "InitCore contributors", ["url"] = RepositoryUrl },
                ["documentationUrl"] = RepositoryUrl + "/blob/main/docs/embedding.md",
                ["changelogUrl"] = RepositoryUrl + "/blob/main/" + ChangelogSource,
                ["licensesUrl"] = RepositoryUrl + "/blob/main/LICENSE",
                ["samples"] = new[] { new Dictionary<string, string> { ["displayName"] = "Basics", ["description"] = "Initialize a small policy network and run it every frame.", ["path"] = "Samples~/Basics" } },
            };
            WriteJson(Path.Combine(output, "package.json"), package);
            File.Copy(Path.Combine(repositoryRoot, "LICENSE"), Path.Combine(output, "LICENSE.md"));

            // The Markdown files, repository path -> package path; links between them stay relative.
            var markdown = new Dictionary<string, string>(StringComparer.Ordinal) { ["README.md"] = "README.md", [ChangelogSource] = "CHANGELOG.md" };
            foreach (string doc in Directory.GetFiles(Path.Combine(repositoryRoot, "docs"), "*.md").OrderBy(d => d, StringComparer.Ordinal))
                markdown["docs/" + Path.GetFileName(doc)] = "Documentation~/" + Path.GetFileName(doc);
            foreach ((string source, string target) in markdown)
            {
                string text = File.ReadAllText(Path.Combine(repositoryRoot, source));
                text = MarkdownLinks.Rewrite(text, link => MapLink(link, source, target, markdown, repositoryRoot, output));
                File.WriteAllText(Path.Combine(output, target), text);
            }

            File.WriteAllText(Path.Combine(output, "Samples~", "Basics", "PolicyInit.cs"), SampleScript);
            UnityMeta.WriteAll(output, Name);
        }

        // A link of the repository file `source`, which becomes the package file `target`: to another packaged
        // Markdown file, relative; to a file under docs/ (an image), copied into Documentation~ and relative;
        // to any other repository file or folder, absolute; a link to nothing is kept (Validate reports it).
        private static string MapLink(string link, string source, string target, IReadOnlyDictionary<string, string> markdown, string repositoryRoot, string output)
        {
            if (MarkdownLinks.IsExternal(link)) return link;
            (string path, string anchor) = MarkdownLinks.Split(link);
            string? repoPath = MarkdownLinks.Resolve(source, path);
            if (repoPath is null) return link;
            string full = Path.Combine(repositoryRoot, repoPath);
            if (markdown.TryGetValue(repoPath, out string? packaged)) return MarkdownLinks.Relative(target, packaged) + anchor;
            if (repoPath.StartsWith("docs/", StringComparison.Ordinal) && File.Exists(full))
            {
                string copy = "Documentation~/" + repoPath["docs/".Length..];
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(output, copy))!);
                File.Copy(full, Path.Combine(output, copy), overwrite: true);
                return MarkdownLinks.Relative(target, copy) + anchor;
            }
            if (File.Exists(full)) return $"{RepositoryUrl}/blob/main/{repoPath}{anchor}";
            if (Directory.Exists(full)) return $"{RepositoryUrl}/tree/main/{repoPath}{anchor}";
            return link;
        }

        private static void WriteJson(string path, object value) =>
            File.WriteAllText(path, JsonSerializer.Serialize(value, new JsonSerializerOptions { WriteIndented = true }) + "\n");

        /// <summary>
        /// Every problem with the folder as a Unity package, each naming the file and the rule; empty when it is
        /// valid. The rules: Unity's package layout (package.json at the root, Runtime/, Samples~/, Documentation~/,
        /// README.md, LICENSE.md, CHANGELOG.md) and its manifest rules (name lowercase reverse-domain of at most
        /// 214 characters, not com.unity.*; version SemVer; unity "YYYY.N" or "6000.N"; samples inside Samples~/);
        /// a CHANGELOG whose latest entry is "## [version] - YYYY-MM-DD" for package.json's version; a .meta file
        /// with a unique GUID beside every asset and none without one; the DLL's plugin import settings; one
        /// assembly definition in Runtime/ that references the DLL; every relative link and image of every
        /// Markdown file resolving to a file inside the package.
        /// </summary>
        public static IReadOnlyList<string> Validate(string folder)
        {
            var problems = new List<string>();
            string json = Path.Combine(folder, "package.json");
            if (!File.Exists(json)) return new[] { "package.json is missing" };
            string? version = null;
            try
            {
                using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
                version = ValidateManifest(doc.RootElement, folder, problems);
            }
            catch (JsonException ex)
            {
                problems.Add($"package.json is not valid JSON: {ex.Message}");
            }
            ValidateRuntime(folder, problems);
            foreach (string dir in new[] { "Samples~", "Documentation~" })
                if (!Directory.Exists(Path.Combine(folder, dir)) || !Directory.EnumerateFileSystemEntries(Path.Combine(folder, dir)).Any())
                    problems.Add($"{dir}/ is missing or empty");
            if (Directory.Exists(Path.Combine(folder, "Documentation~")) && !Directory.EnumerateFiles(Path.Combine(folder, "Documentation~"), "*.md").Any())
                problems.Add("Documentation~/ has no .md file");
            foreach (string file in new[] { "README.md", "LICENSE.md", "CHANGELOG.md" })
                if (!File.Exists(Path.Combine(folder, file))) problems.Add($"{file} is missing");
            if (version is not null && File.Exists(Path.Combine(folder, "CHANGELOG.md"))) ValidateChangelog(File.ReadAllText(Path.Combine(folder, "CHANGELOG.md")), version, problems);
            ValidateMetas(folder, problems);
            ValidateLinks(folder, problems);
            return problems;
        }

        private static string? ValidateManifest(JsonElement root, string folder, List<string> problems)
        {
            foreach (string key in new[] { "name", "version", "displayName", "description", "unity" })
                if (!root.TryGetProperty(key, out JsonElement v) || v.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(v.GetString()))
                    problems.Add($"package.json: \"{key}\" must be a non-empty string");
            if (root.TryGetProperty("name", out JsonElement n) && n.ValueKind == JsonValueKind.String && n.GetString() is string name && name.Length > 0)
            {
                if (!Regex.IsMatch(name, @"^[a-z0-9][a-z0-9._-]*$") || name.Length > 214 || name.Split('.').Length < 3 || name.Split('.').Any(s => s.Length == 0))
                    problems.Add($"package.json: name \"{name}\" must be lowercase reverse-domain (com.company.package: a-z, 0-9, '.', '-', '_'; at most 214 characters)");
                if (name.StartsWith("com.unity.", StringComparison.Ordinal)) problems.Add($"package.json: name \"{name}\" uses the com.unity. prefix, which Unity reserves");
            }
            string? version = null;
            if (root.TryGetProperty("version", out JsonElement ver) && ver.ValueKind == JsonValueKind.String && ver.GetString() is string vs)
            {
                if (Regex.IsMatch(vs, @"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$")) version = vs;
                else problems.Add($"package.json: version \"{vs}\" is not SemVer (MAJOR.MINOR.PATCH[-prerelease])");
            }
            if (root.TryGetProperty("unity", out JsonElement unity) && unity.ValueKind == JsonValueKind.String && unity.GetString() is string u && !Regex.IsMatch(u, @"^(\d{4}|6000)\.\d+$"))
                problems.Add($"package.json: unity \"{u}\" must be a Unity version MAJOR.MINOR, e.g. 2021.3");
            if (root.TryGetProperty("unityRelease", out JsonElement release) && (release.ValueKind != JsonValueKind.String || !Regex.IsMatch(release.GetString() ?? "", @"^\d+[abfp]\d+$")))
                problems.Add("package.json: unityRelease must look like 0f1");
            if (root.TryGetProperty("dependencies", out JsonElement deps))
            {
                if (deps.ValueKind != JsonValueKind.Object) problems.Add("package.json: dependencies must be an object of name: version");
                else
                    foreach (JsonProperty d in deps.EnumerateObject())
                        if (d.Value.ValueKind != JsonValueKind.String || !Regex.IsMatch(d.Value.GetString() ?? "", @"^\d+\.\d+\.\d+"))
                            problems.Add($"package.json: dependency \"{d.Name}\" must name a SemVer version");
            }
            if (root.TryGetProperty("samples", out JsonElement samples))
            {
                if (samples.ValueKind != JsonValueKind.Array) problems.Add("package.json: samples must be an array");
                else
                    foreach (JsonElement s in samples.EnumerateArray())
                    {
                        string label = s.ValueKind == JsonValueKind.Object && s.TryGetProperty("displayName", out JsonElement dn) && dn.ValueKind == JsonValueKind.String ? dn.GetString()! : "(no displayName)";
                        foreach (string key in new[] { "displayName", "description", "path" })
                            if (s.ValueKind != JsonValueKind.Object || !s.TryGetProperty(key, out JsonElement v) || v.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(v.GetString()))
                                problems.Add($"package.json: sample {label}: \"{key}\" must be a non-empty string");
                        if (s.ValueKind != JsonValueKind.Object || !s.TryGetProperty("path", out JsonElement p) || p.ValueKind != JsonValueKind.String) continue;
                        string path = p.GetString()!;
                        if (!path.StartsWith("Samples~/", StringComparison.Ordinal) || path.Contains("..", StringComparison.Ordinal))
                            problems.Add($"package.json: sample {label}: path \"{path}\" must be a folder inside Samples~/");
                        else if (!Directory.Exists(Path.Combine(folder, path)) || !Directory.EnumerateFiles(Path.Combine(folder, path), "*", SearchOption.AllDirectories).Any())
                            problems.Add($"package.json: sample {label}: path \"{path}\" does not exist or is empty");
                    }
            }
            return version;
        }

        private static void ValidateChangelog(string changelog, string version, List<string> problems)
        {
            string? first = changelog.Split('\n').Select(l => l.TrimEnd('\r')).FirstOrDefault(l => l.StartsWith("## ", StringComparison.Ordinal));
            Match m = Regex.Match(first ?? "", @"^## \[(?<v>[^\]]+)\] - (?<d>\d{4}-\d{2}-\d{2})$");
            if (!m.Success)
                problems.Add($"CHANGELOG.md: the latest entry must be headed \"## [{version}] - YYYY-MM-DD\"; found \"{first ?? "no ## heading"}\"");
            else if (m.Groups["v"].Value != version)
                problems.Add($"CHANGELOG.md: the latest entry is {m.Groups["v"].Value}, but package.json's version is {version}: add a dated entry for {version} to {ChangelogSource}");
            else if (!DateTime.TryParseExact(m.Groups["d"].Value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                problems.Add($"CHANGELOG.md: the date {m.Groups["d"].Value} of entry {version} is not a calendar date");
        }

        private static void ValidateRuntime(string folder, List<string> problems)
        {
            string dll = Path.Combine(folder, "Runtime", "InitCore.dll");
            if (!File.Exists(dll)) problems.Add("Runtime/InitCore.dll is missing");
            else if (!File.Exists(dll + ".meta") || !File.ReadAllText(dll + ".meta").Contains("PluginImporter:", StringComparison.Ordinal) || !File.ReadAllText(dll + ".meta").Contains("enabled: 1", StringComparison.Ordinal))
                problems.Add("Runtime/InitCore.dll.meta must hold the plugin import settings (PluginImporter, enabled on a platform)");
            string[] asmdefs = Directory.Exists(Path.Combine(folder, "Runtime")) ? Directory.GetFiles(Path.Combine(folder, "Runtime"), "*.asmdef") : Array.Empty<string>();
            if (asmdefs.Length != 1) { problems.Add($"Runtime/ must hold one assembly definition (.asmdef); found {asmdefs.Length}"); return; }
            try
            {
                using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(asmdefs[0]));
                JsonElement root = doc.RootElement;
                if (!root.TryGetProperty("name", out JsonElement name) || name.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(name.GetString()))
                    problems.Add($"Runtime/{Path.GetFileName(asmdefs[0])}: \"name\" must be a non-empty string");
                if (root.TryGetProperty("overrideReferences", out JsonElement over) && over.ValueKind == JsonValueKind.True &&
                    !(root.TryGetProperty("precompiledReferences", out JsonElement pre) && pre.ValueKind == JsonValueKind.Array && pre.EnumerateArray().Any(r => r.GetString() == "InitCore.dll")))
                    problems.Add($"Runtime/{Path.GetFileName(asmdefs[0])}: overrideReferences is set but precompiledReferences does not list InitCore.dll");
            }
            catch (JsonException ex)
            {
                problems.Add($"Runtime/{Path.GetFileName(asmdefs[0])} is not valid JSON: {ex.Message}");
            }
        }

        private static void ValidateMetas(string folder, List<string> problems)
        {
            var assets = new HashSet<string>(UnityMeta.Assets(folder), StringComparer.Ordinal);
            var guids = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (string asset in assets.OrderBy(a => a, StringComparer.Ordinal))
            {
                string meta = Path.Combine(folder, asset) + ".meta";
                if (!File.Exists(meta)) { problems.Add($"{asset}.meta is missing: every asset needs one"); continue; }
                string[] lines = File.ReadAllText(meta).Split('\n');
                Match guid = lines.Length > 1 ? Regex.Match(lines[1], "^guid: ([0-9a-f]{32})$") : Match.Empty;
                if (lines[0] != "fileFormatVersion: 2" || !guid.Success) { problems.Add($"{asset}.meta must start with \"fileFormatVersion: 2\" and \"guid: <32 lowercase hex digits>\""); continue; }
                if (guids.TryGetValue(guid.Groups[1].Value, out string? other)) problems.Add($"{asset}.meta has the GUID of {other}.meta ({guid.Groups[1].Value}); GUIDs must be unique");
                else guids[guid.Groups[1].Value] = asset;
                if (Directory.Exists(Path.Combine(folder, asset)) != lines.Contains("folderAsset: yes"))
                    problems.Add($"{asset}.meta: folderAsset must be \"yes\" for a folder and absent for a file");
            }
            foreach (string meta in Directory.EnumerateFiles(folder, "*.meta", SearchOption.AllDirectories))
            {
                string asset = Path.GetRelativePath(folder, meta).Replace('\\', '/')[..^".meta".Length];
                if (!assets.Contains(asset)) problems.Add($"{asset}.meta has no asset (or the asset is in a folder Unity ignores)");
            }
        }

        private static void ValidateLinks(string folder, List<string> problems)
        {
            foreach (string file in Directory.EnumerateFiles(folder, "*.md", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal))
            {
                string relative = Path.GetRelativePath(folder, file).Replace('\\', '/');
                foreach (string target in MarkdownLinks.Targets(File.ReadAllText(file)))
                {
                    if (MarkdownLinks.IsExternal(target)) continue;
                    string? path = MarkdownLinks.Resolve(relative, MarkdownLinks.Split(target).Path);
                    if (path is null) problems.Add($"{relative}: link \"{target}\" leads out of the package");
                    else if (!File.Exists(Path.Combine(folder, path)) && !Directory.Exists(Path.Combine(folder, path)))
                        problems.Add($"{relative}: link \"{target}\" does not resolve inside the package ({path} is missing)");
                }
            }
        }

        // Runtime/InitCorePackage.cs: gives the assembly definition a script, and a host the package's identity.
        private const string PackageScript = @"// Generated by tools/InitCore.Packaging: the identity of the Unity package that carries InitCore.dll.
namespace InitCore.Unity
{
    /// <summary>The Unity package ({NAME} {VERSION}) that carries the netstandard2.1 build of InitCore.</summary>
    public static class InitCorePackage
    {
        /// <summary>The package's name.</summary>
        public const string Name = ""{NAME}"";

        /// <summary>The package's version, as in package.json.</summary>
        public const string Version = ""{VERSION}"";

        /// <summary>The version of the engine assembly the package carries.</summary>
        public static string EngineVersion => typeof(InitCore.Engine).Assembly.GetName().Version?.ToString() ?? ""unknown"";
    }
}
";

        private const string SampleScript = @"// Unity sample: create the engine once, initialize a small policy network, run it every frame.
using InitCore;
using InitCore.Initializers;
using InitCore.Nn;
using UnityEngine;

public sealed class PolicyInit : MonoBehaviour
{
    private Engine _engine;
    private Sequential _policy;
    private Tensor _observation;
    private readonly float[] _input = new float[16];
    private readonly float[] _action = new float[4];

    private void Awake()
    {
        _engine = Engine.Create(new EngineOptions { Seed = 42 }); // CUDA when present, else the CPU backend
        Debug.Log(_engine.BackendReason);
        _policy = new Sequential(_engine, new Linear(_engine, 16, 64), new ReLU(_engine), new Linear(_engine, 64, 4));
        ModelInit.Apply(_policy, InitScheme.KaimingNormal(nonlinearity: Nonlinearity.Relu), InitScheme.Zeros);
        _observation = _engine.CreateTensor(1, 16);
        _policy.Eval();
    }

    private void Update()
    {
        // Fill _input from the scene, then run the policy. Infer caches nothing and reuses its buffers: no garbage
        // per frame. Its result belongs to the policy and stays valid until the next Infer call, so read it now.
        _observation.CopyFrom(_input);
        _policy.Infer(_observation).CopyTo(_action);
    }

    private void OnDestroy() => _engine?.Dispose();
}
";
    }
}
