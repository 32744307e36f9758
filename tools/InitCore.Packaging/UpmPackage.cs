using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace InitCore.Packaging
{
    /// <summary>
    /// Builds and validates the Unity Package Manager folder: package.json, Runtime/ with the netstandard2.1
    /// engine DLL (and its XML docs), Samples~/, Documentation~/, README, LICENSE and CHANGELOG.
    /// </summary>
    public static class UpmPackage
    {
        public const string Name = "com.initcore.engine";

        /// <summary>Creates the package folder <paramref name="output"/> (replaced if it exists).</summary>
        public static void Build(string output, string runtimeDll, string repositoryRoot, string version)
        {
            if (!File.Exists(runtimeDll)) throw new FileNotFoundException($"The netstandard2.1 engine DLL was not found at {runtimeDll}; build src/InitCore for netstandard2.1 (Release) first.", runtimeDll);
            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
            Directory.CreateDirectory(Path.Combine(output, "Runtime"));
            Directory.CreateDirectory(Path.Combine(output, "Samples~", "Basics"));
            Directory.CreateDirectory(Path.Combine(output, "Documentation~"));
            File.Copy(runtimeDll, Path.Combine(output, "Runtime", "InitCore.dll"));
            string xml = Path.ChangeExtension(runtimeDll, ".xml");
            if (File.Exists(xml)) File.Copy(xml, Path.Combine(output, "Runtime", "InitCore.xml"));
            var package = new Dictionary<string, object>
            {
                ["name"] = Name,
                ["version"] = version,
                ["displayName"] = "InitCore",
                ["description"] = "Neural-network weight initialization (PyTorch and Keras semantics), LSUV and activation diagnostics, on NVIDIA GPUs through CUDA or on a SIMD CPU backend.",
                ["unity"] = "2021.3",
                ["license"] = "MIT",
                ["keywords"] = new[] { "neural-network", "initialization", "lsuv", "cuda" },
                ["author"] = new Dictionary<string, string> { ["name"] = "InitCore contributors" },
                ["samples"] = new[] { new Dictionary<string, string> { ["displayName"] = "Basics", ["description"] = "Initialize a small policy network and run it every frame.", ["path"] = "Samples~/Basics" } },
            };
            File.WriteAllText(Path.Combine(output, "package.json"), JsonSerializer.Serialize(package, new JsonSerializerOptions { WriteIndented = true }));
            File.Copy(Path.Combine(repositoryRoot, "README.md"), Path.Combine(output, "README.md"));
            File.Copy(Path.Combine(repositoryRoot, "LICENSE"), Path.Combine(output, "LICENSE.md"));
            File.WriteAllText(Path.Combine(output, "CHANGELOG.md"), $"# Changelog\n\n## {version}\n\nFirst package: initializers, CUDA and CPU backends, layers, LSUV, diagnostics.\n");
            foreach (string doc in Directory.GetFiles(Path.Combine(repositoryRoot, "docs"), "*.md"))
                File.Copy(doc, Path.Combine(output, "Documentation~", Path.GetFileName(doc)));
            File.WriteAllText(Path.Combine(output, "Samples~", "Basics", "PolicyInit.cs"), SampleScript);
        }

        /// <summary>Every problem with the folder's structure; empty when it is a valid package.</summary>
        public static IReadOnlyList<string> Validate(string folder)
        {
            var problems = new List<string>();
            string json = Path.Combine(folder, "package.json");
            if (!File.Exists(json)) return new[] { "package.json is missing" };
            try
            {
                using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
                JsonElement root = doc.RootElement;
                foreach (string key in new[] { "name", "version", "displayName", "description", "unity" })
                    if (!root.TryGetProperty(key, out JsonElement v) || v.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(v.GetString()))
                        problems.Add($"package.json: \"{key}\" must be a non-empty string");
                if (root.TryGetProperty("name", out JsonElement n) && n.GetString() is string name && (name != name.ToLowerInvariant() || name.Split('.').Length < 3))
                    problems.Add($"package.json: name \"{name}\" must be lowercase reverse-domain (com.company.package)");
                if (root.TryGetProperty("version", out JsonElement ver) && ver.GetString() is string vs && !System.Text.RegularExpressions.Regex.IsMatch(vs, @"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$"))
                    problems.Add($"package.json: version \"{vs}\" is not SemVer");
                if (root.TryGetProperty("samples", out JsonElement samples))
                    foreach (JsonElement s in samples.EnumerateArray())
                        if (!s.TryGetProperty("path", out JsonElement p) || !Directory.Exists(Path.Combine(folder, p.GetString() ?? "")))
                            problems.Add("package.json: a sample's path does not exist");
            }
            catch (JsonException ex)
            {
                problems.Add($"package.json is not valid JSON: {ex.Message}");
            }
            if (!File.Exists(Path.Combine(folder, "Runtime", "InitCore.dll"))) problems.Add("Runtime/InitCore.dll is missing");
            foreach (string dir in new[] { "Samples~", "Documentation~" })
                if (!Directory.Exists(Path.Combine(folder, dir)) || !Directory.EnumerateFileSystemEntries(Path.Combine(folder, dir)).Any())
                    problems.Add($"{dir}/ is missing or empty");
            foreach (string file in new[] { "README.md", "LICENSE.md", "CHANGELOG.md" })
                if (!File.Exists(Path.Combine(folder, file))) problems.Add($"{file} is missing");
            return problems;
        }

        private const string SampleScript = @"// Unity sample: create the engine once, initialize a small policy network, run it every frame.
using InitCore;
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
