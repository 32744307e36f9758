using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using InitCore.Packaging;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests
{
    /// <summary>
    /// The Unity package's structure against Unity's layout and validation rules, the NuGet packages' READMEs
    /// and SourceLink. The NuGet packages themselves are packed and consumed from a local feed by
    /// tests/Packaging/check.sh, which .ci/run runs.
    /// </summary>
    [TestClass]
    public sealed class PackagingTests
    {
        private const string RepositoryUrl = "https://github.com/initcore/initcore";

        private static string Root()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "InitCore.sln"))) return dir.FullName;
            throw new DirectoryNotFoundException("The repository root (InitCore.sln) was not found above " + AppContext.BaseDirectory);
        }

        // The one version of every package, from Directory.Build.props.
        private static string Version()
        {
            Match m = Regex.Match(File.ReadAllText(Path.Combine(Root(), "Directory.Build.props")), "<Version>([^<]+)</Version>");
            Assert.IsTrue(m.Success, "Directory.Build.props has no <Version>");
            return m.Groups[1].Value;
        }

        private static string NewFolder() => Path.Combine(Path.GetTempPath(), "initcore-upm-" + Guid.NewGuid().ToString("N"));

        private static void WithPackage(Action<string> check)
        {
            string output = NewFolder();
            try
            {
                UpmPackage.Build(output, typeof(Engine).Assembly.Location, Root(), Version());
                check(output);
            }
            finally
            {
                if (Directory.Exists(output)) Directory.Delete(output, true);
            }
        }

        [TestMethod]
        public void UnityPackage_HasTheUpmStructure()
        {
            WithPackage(output =>
            {
                CollectionAssert.AreEqual(Array.Empty<string>(), UpmPackage.Validate(output).ToArray());
                foreach (string file in new[] { "package.json", "README.md", "LICENSE.md", "CHANGELOG.md", "Runtime/InitCore.dll", "Runtime/InitCore.Unity.asmdef",
                             "Runtime/InitCorePackage.cs", "Samples~/Basics/PolicyInit.cs", "Documentation~/cuda.md", "Documentation~/images/plots/mean-std-default.png" })
                    Assert.IsTrue(File.Exists(Path.Combine(output, file)), file + " is missing");

                using JsonDocument manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "package.json")));
                Assert.AreEqual("com.initcore.engine", manifest.RootElement.GetProperty("name").GetString());
                Assert.AreEqual(Version(), manifest.RootElement.GetProperty("version").GetString());
                Assert.AreEqual("2021.3", manifest.RootElement.GetProperty("unity").GetString());
                Assert.AreEqual("Samples~/Basics", manifest.RootElement.GetProperty("samples")[0].GetProperty("path").GetString());

                using JsonDocument asmdef = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "Runtime", "InitCore.Unity.asmdef")));
                Assert.AreEqual("InitCore.Unity", asmdef.RootElement.GetProperty("name").GetString());
                Assert.AreEqual("InitCore.dll", asmdef.RootElement.GetProperty("precompiledReferences")[0].GetString());

                // Importers: the plugin settings for the DLL, scripts, the asmdef, the manifest, folders.
                string Meta(string asset) => File.ReadAllText(Path.Combine(output, asset + ".meta"));
                StringAssert.Contains(Meta("Runtime/InitCore.dll"), "PluginImporter:\n");
                StringAssert.Contains(Meta("Runtime/InitCore.dll"), "  - first:\n      Any: \n    second:\n      enabled: 1\n");
                StringAssert.Contains(Meta("Runtime/InitCorePackage.cs"), "MonoImporter:\n");
                StringAssert.Contains(Meta("Runtime/InitCore.Unity.asmdef"), "AssemblyDefinitionImporter:\n");
                StringAssert.Contains(Meta("package.json"), "PackageManifestImporter:\n");
                StringAssert.Contains(Meta("Runtime"), "folderAsset: yes\nDefaultImporter:\n");
                StringAssert.Contains(Meta("Samples~/Basics/PolicyInit.cs"), "MonoImporter:\n");
                // Folders Unity ignores get none, and so does Documentation~'s content.
                Assert.IsFalse(File.Exists(Path.Combine(output, "Samples~.meta")));
                Assert.IsFalse(File.Exists(Path.Combine(output, "Documentation~.meta")));
                Assert.IsFalse(Directory.EnumerateFiles(Path.Combine(output, "Documentation~"), "*.meta", SearchOption.AllDirectories).Any());

                // The CHANGELOG is dated, newest first, with an entry for this version.
                StringAssert.Matches(File.ReadAllText(Path.Combine(output, "CHANGELOG.md")), new Regex(@"\n## \[" + Regex.Escape(Version()) + @"\] - \d{4}-\d{2}-\d{2}\n"));
                StringAssert.Contains(File.ReadAllText(Path.Combine(output, "Runtime", "InitCorePackage.cs")), $"Version = \"{Version()}\"");
            });
        }

        [TestMethod]
        public void UnityPackage_MetaGuids_AreDerivedFromThePath_AndStableAcrossRebuilds()
        {
            string first = NewFolder(), second = NewFolder();
            try
            {
                UpmPackage.Build(first, typeof(Engine).Assembly.Location, Root(), Version());
                UpmPackage.Build(second, typeof(Engine).Assembly.Location, Root(), Version());
                string[] metas = Directory.GetFiles(first, "*.meta", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(first, f)).OrderBy(f => f, StringComparer.Ordinal).ToArray();
                CollectionAssert.AreEqual(metas, Directory.GetFiles(second, "*.meta", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(second, f)).OrderBy(f => f, StringComparer.Ordinal).ToArray());
                Assert.IsTrue(metas.Length >= 10, $"only {metas.Length} .meta files: {string.Join(", ", metas)}");
                foreach (string meta in metas)
                    Assert.AreEqual(File.ReadAllText(Path.Combine(first, meta)), File.ReadAllText(Path.Combine(second, meta)), meta + " changed between two builds");

                // The GUID is the path's: the first 16 bytes of SHA-256("com.initcore.engine/Runtime/InitCore.dll").
                byte[] hash = System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes("com.initcore.engine/Runtime/InitCore.dll"));
                string expected = Convert.ToHexStringLower(hash, 0, 16);
                StringAssert.Contains(File.ReadAllText(Path.Combine(first, "Runtime", "InitCore.dll.meta")), "\nguid: " + expected + "\n");
                Assert.AreNotEqual(UnityMeta.Guid(UpmPackage.Name, "Runtime/InitCore.dll"), UnityMeta.Guid(UpmPackage.Name, "Runtime/InitCore.xml"));
            }
            finally
            {
                foreach (string dir in new[] { first, second })
                    if (Directory.Exists(dir)) Directory.Delete(dir, true);
            }
        }

        [TestMethod]
        public void UnityPackage_Documentation_LinksAndImagesResolveInsideThePackage()
        {
            WithPackage(output =>
            {
                // A link between docs stays relative, an image is carried, a repository file outside the package becomes absolute.
                string plots = File.ReadAllText(Path.Combine(output, "Documentation~", "plots.md"));
                StringAssert.Contains(plots, "](images/plots/mean-std-default.png)");
                string data = File.ReadAllText(Path.Combine(output, "Documentation~", "data.md"));
                StringAssert.Contains(data, $"]({RepositoryUrl}/blob/main/data/mnist-subset/README.md)");
                string readme = File.ReadAllText(Path.Combine(output, "README.md"));
                StringAssert.Contains(readme, "](Documentation~/getting-started.md)");
                foreach (string file in Directory.GetFiles(output, "*.md", SearchOption.AllDirectories))
                    foreach (string target in MarkdownLinks.Targets(File.ReadAllText(file)).Where(t => !MarkdownLinks.IsExternal(t)))
                    {
                        string? path = MarkdownLinks.Resolve(Path.GetRelativePath(output, file).Replace('\\', '/'), MarkdownLinks.Split(target).Path);
                        Assert.IsNotNull(path, $"{file}: {target} leaves the package");
                        Assert.IsTrue(File.Exists(Path.Combine(output, path)) || Directory.Exists(Path.Combine(output, path)), $"{file}: {target} does not resolve");
                    }
            });
        }

        [TestMethod]
        public void UnityPackage_Validation_ReportsEachProblem()
        {
            WithPackage(output =>
            {
                File.Delete(Path.Combine(output, "Runtime", "InitCore.dll"));
                File.Delete(Path.Combine(output, "Runtime", "InitCorePackage.cs.meta"));
                File.WriteAllText(Path.Combine(output, "Runtime", "Stray.cs.meta"), UnityMeta.For(UpmPackage.Name, "Runtime/Stray.cs", isFolder: false));
                File.Copy(Path.Combine(output, "LICENSE.md.meta"), Path.Combine(output, "README.md.meta"), overwrite: true);
                File.WriteAllText(Path.Combine(output, "Documentation~", "broken.md"), "See [the API](missing.md) and ![a chart](../../outside.png).\n```\n[code](not-a-link.md)\n```\n");
                File.WriteAllText(Path.Combine(output, "CHANGELOG.md"), "# Changelog\n\n## 0.1.0\n\nUndated.\n");
                File.WriteAllText(Path.Combine(output, "package.json"),
                    "{\"name\":\"InitCore\",\"version\":\"one\",\"displayName\":\"x\",\"description\":\"y\",\"unity\":\"2021\"," +
                    "\"samples\":[{\"displayName\":\"Basics\",\"description\":\"d\",\"path\":\"Samples/Basics\"}]}");
                IReadOnlyList<string> problems = UpmPackage.Validate(output);
                string all = string.Join("\n", problems);
                foreach (string expected in new[]
                {
                    "Runtime/InitCore.dll is missing",
                    "name \"InitCore\" must be lowercase reverse-domain",
                    "version \"one\" is not SemVer",
                    "unity \"2021\" must be a Unity version MAJOR.MINOR",
                    "sample Basics: path \"Samples/Basics\" must be a folder inside Samples~/",
                    "Runtime/InitCorePackage.cs.meta is missing",
                    "Runtime/Stray.cs.meta has no asset",
                    "README.md.meta has the GUID of LICENSE.md.meta",
                    "Documentation~/broken.md: link \"missing.md\" does not resolve inside the package",
                    "Documentation~/broken.md: link \"../../outside.png\" leads out of the package",
                })
                    Assert.IsTrue(problems.Any(p => p.Contains(expected, StringComparison.Ordinal)), $"no problem contains '{expected}':\n{all}");
                Assert.IsFalse(all.Contains("not-a-link.md", StringComparison.Ordinal), "a link inside a code block was checked:\n" + all);
                // The CHANGELOG's version is checked against a valid package.json.
                File.WriteAllText(Path.Combine(output, "package.json"), "{\"name\":\"com.initcore.engine\",\"version\":\"0.2.0\",\"displayName\":\"x\",\"description\":\"y\",\"unity\":\"2021.3\"}");
                StringAssert.Contains(string.Join("\n", UpmPackage.Validate(output)), "CHANGELOG.md: the latest entry must be headed \"## [0.2.0] - YYYY-MM-DD\"; found \"## 0.1.0\"");
                File.WriteAllText(Path.Combine(output, "CHANGELOG.md"), "# Changelog\n\n## [0.1.0] - 2026-11-30\n");
                StringAssert.Contains(string.Join("\n", UpmPackage.Validate(output)), "CHANGELOG.md: the latest entry is 0.1.0, but package.json's version is 0.2.0");
            });
        }

        [TestMethod]
        public void NuGetReadmes_LinkOnlyToAbsoluteUrls_ThatNameRepositoryFiles()
        {
            string root = Root();
            // One placeholder everywhere: the NuGet packages' (Directory.Build.props), the Unity package's, the READMEs'.
            Match props = Regex.Match(File.ReadAllText(Path.Combine(root, "Directory.Build.props")), "<InitCoreRepositoryUrl>([^<]+)</InitCoreRepositoryUrl>");
            Assert.IsTrue(props.Success, "Directory.Build.props has no <InitCoreRepositoryUrl>");
            Assert.AreEqual(UpmPackage.RepositoryUrl, props.Groups[1].Value, "the Unity package's repository URL differs from the NuGet packages'");
            Assert.AreEqual(RepositoryUrl, props.Groups[1].Value, "the READMEs are checked against another URL than the packages'");
            string[] readmes = Directory.GetFiles(Path.Combine(root, "docs", "packaging", "nuget"), "*.md");
            CollectionAssert.AreEquivalent(new[] { "InitCore.md", "InitCore.Plots.md", "InitCore.Datasets.md" }, readmes.Select(Path.GetFileName).ToArray());
            foreach (string readme in readmes)
            {
                IReadOnlyList<string> targets = MarkdownLinks.Targets(File.ReadAllText(readme));
                Assert.IsTrue(targets.Count > 0, readme + " has no link");
                foreach (string target in targets)
                {
                    StringAssert.StartsWith(target, "https://", $"{Path.GetFileName(readme)}: a package README's links must be absolute: {target}");
                    Match m = Regex.Match(target, "^" + Regex.Escape(RepositoryUrl) + "/(blob|tree)/main/([^#]+)");
                    if (m.Success)
                        Assert.IsTrue(File.Exists(Path.Combine(root, m.Groups[2].Value)) || Directory.Exists(Path.Combine(root, m.Groups[2].Value)),
                            $"{Path.GetFileName(readme)}: {target} names {m.Groups[2].Value}, which is not in the repository");
                    else
                        Assert.IsTrue(target == RepositoryUrl || target.StartsWith("https://www.nuget.org/packages/", StringComparison.Ordinal),
                            $"{Path.GetFileName(readme)}: {target} is neither a repository file nor a NuGet package page");
                }
            }
        }

        [TestMethod]
        public void EnginePdb_HasSourceLinkToTheRepository()
        {
            string pdb = Path.ChangeExtension(typeof(Engine).Assembly.Location, ".pdb");
            Assert.IsTrue(File.Exists(pdb), pdb + " is missing");
            using FileStream stream = File.OpenRead(pdb);
            using MetadataReaderProvider provider = MetadataReaderProvider.FromPortablePdbStream(stream);
            MetadataReader reader = provider.GetMetadataReader();
            var sourceLinkKind = new Guid("CC110556-A091-4D38-9FEC-25AB9A351A6A");
            string? json = reader.CustomDebugInformation.Select(reader.GetCustomDebugInformation)
                .Where(c => reader.GetGuid(c.Kind) == sourceLinkKind)
                .Select(c => Encoding.UTF8.GetString(reader.GetBlobBytes(c.Value))).FirstOrDefault();
            Assert.IsNotNull(json, pdb + " has no SourceLink record");
            using JsonDocument doc = JsonDocument.Parse(json);
            string[] urls = doc.RootElement.GetProperty("documents").EnumerateObject().Select(p => p.Value.GetString()!).ToArray();
            Assert.IsTrue(urls.Length > 0 && urls.All(u => Regex.IsMatch(u, @"^https://raw\.githubusercontent\.com/initcore/initcore/[0-9a-f]{40}/\*$")),
                "SourceLink maps to " + string.Join(", ", urls));
        }
    }
}
