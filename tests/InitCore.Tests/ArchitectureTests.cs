using System;
using System.Collections.Generic;
using System.Linq;
using InitCore.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests
{
    /// <summary>
    /// The layering of docs/architecture.md, checked on the compiled engine (its metadata and IL, read with
    /// System.Reflection.Metadata by <see cref="NamespaceGraph"/>), so it cannot drift from the code.
    /// </summary>
    [TestClass]
    public sealed class ArchitectureTests
    {
        /// <summary>
        /// Top to bottom. A namespace may use itself and the namespaces below it, never one above it. Keep this list and
        /// the table in docs/architecture.md the same.
        /// </summary>
        internal static readonly string[] Layers =
        {
            "InitCore.Diagnostics",       // ActivationStats, LSUV, the init doctor
            "InitCore.Serialization",     // safetensors, state dicts, the JSON writer
            "InitCore.Nn",                // modules, losses, Sgd, Trainer, InitScheme, ModelInit
            "InitCore.Initializers",      // Init, Gain, Fans, InitDefinition
            "InitCore.Data",              // IDX, MNIST, normalization, loaders
            "InitCore.Ops",               // tensor operations and statistics
            "InitCore",                   // Engine, Tensor, EngineOptions, BackendFactory
            "InitCore.Backends.Cuda",     // the CUDA backend
            "InitCore.Backends.Cpu",      // the CPU backend (the reference)
            "InitCore.Backends",          // Backend, TensorStorage, BackendKind, kernel argument types
            "InitCore.Randomness",        // Generator, TorchGenerator, FillSpec, PhiloxCounter, the host samplers
            "InitCore.Interop",           // CudaLibraries: the three libraries loaded together
            "InitCore.Interop.Cudnn",     // cuDNN bindings and CudnnException
            "InitCore.Interop.Cublas",    // cuBLAS bindings and CublasException
            "InitCore.Interop.CudaDriver",// driver API bindings and CudaException
            "InitCore.Interop.Native",    // the library loader and NativeCallException
            "InitCore.Threading",         // the CPU partitioner and worker pool
        };

        /// <summary>The namespaces users program against. They reach a backend only through <c>Backend</c> (via
        /// <c>Engine</c>/<c>Tensor</c>/<c>Ops</c>), never a concrete backend or a binding.</summary>
        private static readonly string[] UserFacing = { "InitCore.Diagnostics", "InitCore.Serialization", "InitCore.Nn", "InitCore.Initializers", "InitCore.Data", "InitCore.Ops" };

        private static readonly string[] Concrete = { "InitCore.Backends.Cpu", "InitCore.Backends.Cuda", "InitCore.Interop", "InitCore.Interop.Cudnn", "InitCore.Interop.Cublas", "InitCore.Interop.CudaDriver", "InitCore.Interop.Native" };

        /// <summary>The namespaces that go through <c>Ops</c> for every backend operation: no <c>Backend</c> or <c>TensorStorage</c>.</summary>
        private static readonly string[] ThroughOps = { "InitCore.Diagnostics", "InitCore.Serialization", "InitCore.Data" };

        private static NamespaceGraph Graph() => NamespaceGraph.Read(typeof(Engine).Assembly.Location);

        [TestMethod]
        public void EveryNamespace_HasAPlaceInTheLayers()
        {
            var g = Graph();
            var missing = g.Namespaces.Where(n => !Layers.Contains(n)).ToList();
            Assert.IsEmpty(missing, "namespaces not placed in ArchitectureTests.Layers (and docs/architecture.md): " + string.Join(", ", missing));
        }

        [TestMethod]
        public void NoNamespace_UsesOneAboveIt()
        {
            var upward = UpwardReferences(Graph(), Layers);
            Assert.IsEmpty(upward, "upward references:\n" + string.Join("\n", upward));
        }

        [TestMethod]
        public void NamespaceGraph_HasNoCycles()
        {
            var cycles = Graph().Cycles();
            Assert.IsEmpty(cycles, "cycles: " + string.Join(" | ", cycles.Select(c => string.Join(" ⇄ ", c))));
        }

        [TestMethod]
        public void UserFacingNamespaces_NeverReachAConcreteBackendOrBinding()
        {
            var g = Graph();
            var bad = (from u in UserFacing from c in g.Uses(u) where Concrete.Contains(c)
                       select $"{u} → {c}: {string.Join("; ", g.Evidence(u, c))}").ToList();
            Assert.IsEmpty(bad, string.Join("\n", bad));
        }

        [TestMethod]
        public void TheTwoBackends_AreIndependentPeers()
        {
            var g = Graph();
            Assert.IsFalse(g.Uses("InitCore.Backends.Cuda").Contains("InitCore.Backends.Cpu"),
                "the CUDA backend uses the CPU backend: " + string.Join("; ", g.Evidence("InitCore.Backends.Cuda", "InitCore.Backends.Cpu")) + ". Move what both need to InitCore.Backends.");
            Assert.IsFalse(g.Uses("InitCore.Backends.Cpu").Contains("InitCore.Backends.Cuda"),
                "the CPU backend uses the CUDA backend: " + string.Join("; ", g.Evidence("InitCore.Backends.Cpu", "InitCore.Backends.Cuda")));
        }

        [TestMethod]
        public void DiagnosticsSerializationAndData_UseBackendsOnlyThroughOps()
        {
            var bad = Graph().TypeEdges
                .Where(e => ThroughOps.Any(n => e.From.StartsWith(n + ".", StringComparison.Ordinal))
                            && (e.To == "InitCore.Backends.Backend" || e.To == "InitCore.Backends.TensorStorage"))
                .Select(e => $"{e.From} → {e.To}").OrderBy(s => s, StringComparer.Ordinal).ToList();
            Assert.IsEmpty(bad, string.Join("\n", bad));
        }

        /// <summary>The checker itself: a graph with a reference that goes up, and one with a cycle, are caught.</summary>
        [TestMethod]
        public void Checker_CatchesAnUpwardReferenceAndACycle()
        {
            var g = Graph();
            // The real engine read against a reversed order: every real edge now points up.
            string[] reversed = Layers.Reverse().ToArray();
            var upward = UpwardReferences(g, reversed);
            Assert.IsTrue(upward.Any(u => u.StartsWith("InitCore.Nn → InitCore ", StringComparison.Ordinal) || u.StartsWith("InitCore.Nn → InitCore:", StringComparison.Ordinal)),
                "Nn → InitCore should be reported when InitCore is listed above Nn; got:\n" + string.Join("\n", upward));
            Assert.IsTrue(g.Uses("InitCore.Nn").Contains("InitCore"), "the reader must see Nn's use of Engine/Tensor");
            Assert.IsTrue(g.Uses("InitCore.Backends.Cpu").Contains("InitCore.Randomness"), "the reader must see the CPU backend's use of the samplers (IL call tokens)");
        }

        internal static List<string> UpwardReferences(NamespaceGraph g, IReadOnlyList<string> layers)
        {
            var rank = layers.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);
            var result = new List<string>();
            foreach (string from in g.Namespaces)
            {
                if (!rank.TryGetValue(from, out int rf)) continue;
                foreach (string to in g.Uses(from).OrderBy(s => s, StringComparer.Ordinal))
                    if (rank.TryGetValue(to, out int rt) && rt < rf)
                        result.Add($"{from} → {to}: {string.Join("; ", g.Evidence(from, to))}");
            }
            return result;
        }

        /// <summary>
        /// Writes the dependency matrix (docs/architecture.md shows it) when INITCORE_ARCH_MATRIX names a file; with
        /// INITCORE_ARCH_ASSEMBLY it writes another build's matrix (an older InitCore.dll, for a before/after) and stops there.
        /// </summary>
        [TestMethod]
        public void DependencyMatrix_HasNoUpwardEntry()
        {
            string? other = Environment.GetEnvironmentVariable("INITCORE_ARCH_ASSEMBLY");
            string? path = Environment.GetEnvironmentVariable("INITCORE_ARCH_MATRIX");
            if (!string.IsNullOrEmpty(other) && !string.IsNullOrEmpty(path))
            {
                var old = NamespaceGraph.Read(other);
                System.IO.File.WriteAllText(path, old.Matrix(Layers) + string.Concat(old.Cycles().Select(c => "cycle: " + string.Join(", ", c) + "\n")));
                Assert.Inconclusive($"wrote the matrix of {other} to {path}");
            }
            var g = Graph();
            string matrix = g.Matrix(Layers);
            if (!string.IsNullOrEmpty(path)) System.IO.File.WriteAllText(path, matrix);
            // A row's use of a namespace listed above it prints as X (below the diagonal); none may appear.
            Assert.IsFalse(matrix.Split('\n').Skip(1).Any(l => l.Contains("  X")), "the matrix has upward entries (X):\n" + matrix);
        }
    }
}
