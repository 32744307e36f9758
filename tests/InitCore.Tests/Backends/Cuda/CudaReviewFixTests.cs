using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using InitCore.Backends.Cuda;

using InitCore.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Backends
{
    /// <summary>
    /// The fixes of the CUDA core review (issue 13, item 3) on the emulated device (native/emulator), which
    /// they use even on a GPU machine: its fault injection and its exact checks exist only there. Inconclusive,
    /// with the reason, where the emulator (or its cuBLAS or cuDNN stand-in) is not built. Fault injection
    /// runs in a child process (<see cref="ChildProcessTest"/>). The fixes that need no device are in
    /// <see cref="CudaLoaderFixTests"/>.
    /// </summary>
    [TestClass]
    public sealed class CudaReviewFixTests : BackendFixture
    {
        protected override BackendKind Kind => BackendKind.Cuda;

        // ------------------------------------------------------------------ helpers

        private static Engine EngineOn(string dir)
        {
            var engine = Engine.Create(new EngineOptions { Backend = BackendKind.Cuda, CudaLibraryDirectory = dir });
            Assert.IsTrue(engine.Cuda!.IsEmulated, $"the test must run on the emulator, not on {engine.Cuda.DeviceName}");
            return engine;
        }

        private static void RequireCublas(Engine engine)
        {
            if (!engine.Cuda!.HasCublas)
            {
                engine.Dispose();
                Assert.Inconclusive($"This emulator build has no usable cuBLAS stand-in, so the fix was not exercised: {string.Join(" | ", engine.LoadTrace.Where(l => l.Contains("cublas", StringComparison.OrdinalIgnoreCase)))}");
            }
        }

        private static void RequireCudnn(Engine engine)
        {
            if (!engine.Cuda!.HasCudnn)
            {
                engine.Dispose();
                Assert.Inconclusive($"This emulator build has no usable cuDNN stand-in, so the fix was not exercised: {engine.Cuda.CudnnUnavailableReason}");
            }
        }

        /// <summary>An engine on the emulated device with its cuDNN stand-in, or Inconclusive.</summary>
        private Engine EmulatedCudnnEngine()
        {
            Engine engine = EngineOn(RequireEmulator());
            RequireCudnn(engine);
            return engine;
        }

        [TestMethod]
        public void CudnnCreateFailure_LeavesAWorkingEngineWithoutConvolutions_AndSaysWhy()
        {
            string dir = RequireEmulator();
            using (Engine probe = EngineOn(dir))
            {
                RequireCublas(probe);
                RequireCudnn(probe);
            }
            if (!ChildProcessTest.InChild(typeof(CudaReviewFixTests), nameof(CudnnCreateFailure_LeavesAWorkingEngineWithoutConvolutions_AndSaysWhy), ("INITCORE_EMU_CUDNN_CREATE_STATUS", "1008"))) return;
            using Engine engine = EngineOn(dir);
            CudaBackend cuda = engine.Cuda!;
            Assert.IsFalse(cuda.HasCudnn);
            StringAssert.StartsWith(cuda.CudnnUnavailableReason, "cudnnCreate failed with CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED (1008)");
            StringAssert.Contains(cuda.CudnnUnavailableReason, "libcudnn_graph");
            StringAssert.Contains(cuda.CudnnUnavailableReason, "; cuDNN's last error: cudnnCreate: injected failure", "cudnnGetLastErrorString is part of the reason");
            Assert.IsTrue(engine.LoadTrace.Any(l => l.Contains("cudnnCreate failed with CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED (1008)") && l.Contains("convolutions on CUDA are unavailable")),
                string.Join(" | ", engine.LoadTrace));
            StringAssert.Contains(cuda.Description, "no cuDNN");

            // Everything else runs.
            using Tensor a = engine.CreateTensor(2, 3), b = engine.CreateTensor(3, 2), c = engine.CreateTensor(2, 2);
            a.CopyFrom(new float[] { 1, 2, 3, 4, 5, 6 });
            b.CopyFrom(new float[] { 1, 0, 0, 1, 1, 1 });
            engine.Main.Gemm(false, false, 2, 2, 3, 1f, a.Storage, b.Storage, 0f, c.Storage);
            CollectionAssert.AreEqual(new float[] { 4, 5, 10, 11 }, c.ToArray());

            // Convolutions say why they cannot run.
            var g = new ConvGeometry(1, 1, 4, 4, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1);
            using Tensor x = engine.CreateTensor(1, 1, 4, 4), w = engine.CreateTensor(1, 1, 3, 3), y = engine.CreateTensor(1, 1, 4, 4);
            var ex = Assert.ThrowsExactly<InvalidOperationException>(() => engine.Main.Conv2dForward(g, x.Storage, w.Storage, null, y.Storage));
            StringAssert.StartsWith(ex.Message, "cuDNN is not available, so convolutions cannot run on CUDA: cudnnCreate failed with CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED (1008)");
        }

        [TestMethod]
        public void CudnnFoundInADirectory_ItsSubLibrariesAreLookedForThereFirst()
        {
            string dir = RequireEmulator();
            using Engine engine = EngineOn(dir);
            RequireCudnn(engine);
            int main = engine.LoadTrace.ToList().FindIndex(l => l.StartsWith(Path.Combine(dir, "libcudnn.so.9") + ": loaded", StringComparison.Ordinal));
            Assert.IsGreaterThanOrEqualTo(0, main, string.Join(" | ", engine.LoadTrace));
            int subs = engine.LoadTrace.ToList().FindIndex(l => l.StartsWith($"cuDNN sub-libraries not in {dir}:", StringComparison.Ordinal)
                || l.StartsWith(Path.Combine(dir, "libcudnn_graph.so.9"), StringComparison.Ordinal));
            Assert.IsGreaterThan(main, subs, string.Join(" | ", engine.LoadTrace));
        }

        [TestMethod]
        public void StickyError_MakesTheEngineUnusable_AndEveryLaterCallSaysRestart()
        {
            string dir = RequireEmulator();
            if (!ChildProcessTest.InChild(typeof(CudaReviewFixTests), nameof(StickyError_MakesTheEngineUnusable_AndEveryLaterCallSaysRestart), ("INITCORE_EMU_STICKY_AFTER_LAUNCH", "1"))) return;
            Engine engine = EngineOn(dir);
            using Tensor t = engine.CreateTensor(1000);
            var first = Assert.Throws<CudaException>(() =>
            {
                engine.Main.FillConstant(t.Storage, 1f);
                t.ToArray();
            });
            Assert.IsInstanceOfType<CudaStickyErrorException>(first);
            Assert.AreEqual(700, first.Code);
            Assert.AreEqual("CUDA_ERROR_ILLEGAL_ADDRESS", first.StatusName);
            StringAssert.Contains(first.Message, "restart the process");
            StringAssert.Contains(first.Message, "creating a new one does not help");
            Assert.AreSame(first, engine.Cuda!.BrokenBy);

            foreach (Action later in new Action[] { () => engine.CreateTensor(10), () => t.ToArray(), () => engine.Main.FillConstant(t.Storage, 2f), () => engine.Cuda!.Synchronize() })
            {
                var ex = Assert.ThrowsExactly<CudaStickyErrorException>(later);
                Assert.AreEqual(700, ex.Code);
                StringAssert.StartsWith(ex.Message, "This CUDA engine is unusable: earlier, ");
                StringAssert.Contains(ex.Message, "restart the process");
            }
            engine.Dispose(); // no throw
            engine.Dispose();

            // The primary context stays poisoned: a new engine in this process fails the same way, and says so.
            var fresh = Assert.Throws<CudaException>(() => EngineOn(dir));
            Assert.IsInstanceOfType<CudaStickyErrorException>(fresh);
            StringAssert.Contains(fresh.Message, "restart the process");
        }

        [TestMethod]
        public void Gemm_WithKZero_GivesBetaTimesC()
        {
            string dir = RequireEmulator();
            using Engine engine = EngineOn(dir);
            RequireCublas(engine);
            using Tensor a = engine.CreateTensor(2, 0), b = engine.CreateTensor(0, 3), c = engine.CreateTensor(2, 3);
            c.CopyFrom(new float[] { 1, 2, 3, 4, 5, 6 });
            engine.Main.Gemm(false, false, 2, 3, 0, 1f, a.Storage, b.Storage, 0.5f, c.Storage);
            CollectionAssert.AreEqual(new float[] { 0.5f, 1, 1.5f, 2, 2.5f, 3 }, c.ToArray());
            engine.Main.Gemm(true, true, 2, 3, 0, 1f, engine.CreateTensor(0, 2).Storage, engine.CreateTensor(3, 0).Storage, 0f, c.Storage);
            CollectionAssert.AreEqual(new float[6], c.ToArray());
        }

        [TestMethod]
        [DataRow(3f)]
        [DataRow(-1f)]
        [DataRow(1000000f)]
        [DataRow(1.5f)]
        public void CrossEntropy_OutOfRangeLabel_ThrowsTheCpusArgumentException(float bad)
        {
            string dir = RequireEmulator();
            using Engine gpu = EngineOn(dir);
            using Engine cpu = Engine.Create(new EngineOptions { Backend = BackendKind.Cpu });
            var messages = new List<string>();
            foreach (Engine e in new[] { cpu, gpu })
            {
                using Tensor logits = e.CreateTensor(4, 3), target = e.CreateTensor(4);
                target.CopyFrom(new[] { 0f, 2f, bad, 1f });
                var ex = Assert.ThrowsExactly<ArgumentException>(() => new CrossEntropyLoss().Forward(logits, target), e.Backend.ToString());
                Assert.AreEqual("target", ex.ParamName);
                messages.Add(ex.Message);
            }
            Assert.AreEqual(messages[0], messages[1]);
            StringAssert.StartsWith(messages[1], $"Label {bad} at index 2 is not an integer class in 0..2.");

            // The engine stays usable, and the backward pass checks too.
            using Tensor z = gpu.CreateTensor(2, 3), ok = gpu.CreateTensor(2), probs = gpu.CreateTensor(2, 3), dz = gpu.CreateTensor(2, 3);
            ok.CopyFrom(new[] { 0f, 2f });
            Assert.AreEqual(Math.Log(3), new CrossEntropyLoss().Forward(z, ok), 1e-6);
            ok.CopyFrom(new[] { 0f, bad });
            Assert.ThrowsExactly<ArgumentException>(() => gpu.Main.CrossEntropyBackward(probs.Storage, ok.Storage, dz.Storage, 2, 3));
        }

        [TestMethod]
        public void ZeroSizedWork_ReturnsBeforeAnyLaunch()
        {
            string dir = RequireEmulator();
            using Engine engine = EngineOn(dir);
            Backend b = engine.Main;
            using Tensor empty = engine.CreateTensor(0), db = engine.CreateTensor(4);
            db.CopyFrom(new float[] { 1, 2, 3, 4 });
            b.BiasGrad(empty.Storage, empty.Storage, 5, 0, 7, accumulate: false);                       // 0 channels
            b.BiasGrad(empty.Storage, db.Storage, 0, 4, 7, accumulate: true);                            // 0 rows, accumulating: unchanged
            CollectionAssert.AreEqual(new float[] { 1, 2, 3, 4 }, db.ToArray());
            b.BiasGrad(empty.Storage, db.Storage, 0, 4, 7, accumulate: false);                           // 0 rows: zero
            CollectionAssert.AreEqual(new float[4], db.ToArray());
            b.BatchNormForward(empty.Storage, empty.Storage, empty.Storage, empty.Storage, empty.Storage, empty.Storage, empty.Storage, empty.Storage, 2, 0, 9, 1e-5f, 0.1f, training: true);
            b.BatchNormBackward(empty.Storage, empty.Storage, empty.Storage, empty.Storage, empty.Storage, empty.Storage, empty.Storage, empty.Storage, 2, 0, 9);
            b.MaxPool2dForward(new PoolGeometry(0, 4, 4, 2, 2, 0), empty.Storage, empty.Storage, empty.Storage);
            b.CrossEntropyBackward(empty.Storage, empty.Storage, empty.Storage, 0, 3);
            Assert.AreEqual(0, b.CountCorrect(empty.Storage, empty.Storage, 0, 3));
            b.MseBackward(empty.Storage, empty.Storage, empty.Storage);
            b.SgdStep(empty.Storage, empty.Storage, empty.Storage, 0.1f, 0.9f, 0f, first: true);

            // Convolutions of an empty batch never reach cuDNN (its descriptors refuse n = 0); dw of an empty batch is zero.
            var noImages = new ConvGeometry(0, 1, 4, 4, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1);
            using Tensor w = engine.CreateTensor(2, 1, 3, 3);
            w.CopyFrom(Enumerable.Repeat(5f, 18).ToArray());
            b.Conv2dForward(noImages, empty.Storage, w.Storage, null, empty.Storage);
            b.Conv2dBackwardData(noImages, empty.Storage, w.Storage, empty.Storage);
            b.Conv2dBackwardFilter(noImages, empty.Storage, empty.Storage, w.Storage, accumulate: true);
            CollectionAssert.AreEqual(Enumerable.Repeat(5f, 18).ToArray(), w.ToArray(), "accumulating nothing leaves dw");
            b.Conv2dBackwardFilter(noImages, empty.Storage, empty.Storage, w.Storage, accumulate: false);
            CollectionAssert.AreEqual(new float[18], w.ToArray());
            Assert.AreEqual(0, engine.Cuda!.ConvPlanCount, "no plan was built for empty work");
            engine.Cuda!.Synchronize();
        }

        [TestMethod]
        public void ConvolutionPlan_ThatFails_IsNotCached()
        {
            using Engine engine = EmulatedCudnnEngine();
            CudaBackend cuda = engine.Cuda!;
            // 3 input channels in 2 groups: the filter descriptor's C/groups (1) does not match, so cuDNN refuses the plan.
            var bad = new ConvGeometry(1, 3, 4, 4, 2, 1, 1, 1, 1, 0, 0, 1, 1, 2);
            using Tensor x = engine.CreateTensor(1, 3, 4, 4), w = engine.CreateTensor(2, 1, 1, 1), y = engine.CreateTensor(1, 2, 4, 4);
            var ex = Assert.ThrowsExactly<CudnnException>(() => cuda.Conv2dForward(bad, x.Storage, w.Storage, null, y.Storage));
            Assert.AreEqual(0, cuda.ConvPlanCount, "a plan that failed must not be cached");
            Assert.AreEqual("CUDNN_STATUS_BAD_PARAM", ex.StatusName);
            StringAssert.Contains(ex.Message, "; cuDNN's last error: ", "cudnnGetLastErrorString is part of every cuDNN error");
            StringAssert.Contains(ex.Message, "x has 3 channels, filter 1 per group × 2 groups");
            Assert.ThrowsExactly<CudnnException>(() => cuda.Conv2dForward(bad, x.Storage, w.Storage, null, y.Storage), "the second attempt fails the same way, not with a half-built plan");

            var good = new ConvGeometry(1, 1, 4, 4, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1);
            using Tensor gx = engine.CreateTensor(1, 1, 4, 4), gw = engine.CreateTensor(1, 1, 3, 3), gy = engine.CreateTensor(1, 1, 4, 4);
            gx.CopyFrom(Enumerable.Range(0, 16).Select(i => (float)i).ToArray());
            gw.CopyFrom(new float[] { 0, 0, 0, 0, 1, 0, 0, 0, 0 });
            cuda.Conv2dForward(good, gx.Storage, gw.Storage, null, gy.Storage);
            CollectionAssert.AreEqual(gx.ToArray(), gy.ToArray());
            Assert.AreEqual(1, cuda.ConvPlanCount);
        }

        [TestMethod]
        public void ConvolutionPlans_UseFmaMathWithoutTf32_AndAreRebuiltWhenTf32Changes()
        {
            using Engine engine = EmulatedCudnnEngine();
            CudaBackend cuda = engine.Cuda!;
            var g = new ConvGeometry(2, 4, 6, 6, 8, 3, 3, 1, 1, 1, 1, 1, 1, 2);
            var fma = cuda.ConvPlanChoices(g);
            Assert.HasCount(3, fma);
            foreach (var c in fma) Assert.AreEqual(3, c.MathType, "without AllowTf32 every direction keeps CUDNN_FMA_MATH");
            Assert.AreEqual(1, cuda.ConvPlanCount);
            cuda.SetTf32(true);
            Assert.AreEqual(0, cuda.ConvPlanCount, "plans chosen under FMA math are dropped when TF32 is allowed");
            var tf32 = cuda.ConvPlanChoices(g);
            Assert.AreEqual(1, cuda.ConvPlanCount);
            // The emulator's queries rank algorithm 1 first with CUDNN_TENSOR_OP_MATH (1) once FMA is not forced.
            Assert.AreEqual((1, 1), (tf32[0].Algo, tf32[0].MathType), "with AllowTf32 the forward direction uses the math type its query returned");
            Assert.AreEqual((1, 1), (tf32[1].Algo, tf32[1].MathType), "with AllowTf32 backward data uses the math type its query returned");
            cuda.SetTf32(true);
            Assert.AreEqual(1, cuda.ConvPlanCount, "setting the same value keeps the plans");

            // The plan still computes the CPU's result with the math type the query returned.
            using Engine cpu = Engine.Create(new EngineOptions { Backend = BackendKind.Cpu });
            var rng = new Random(5);
            float[] xs = Enumerable.Range(0, 2 * 4 * 36).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
            float[] ws = Enumerable.Range(0, 8 * 2 * 9).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
            float[]? expected = null;
            foreach (Engine e in new[] { cpu, engine })
            {
                using Tensor x = e.CreateTensor(2, 4, 6, 6), w = e.CreateTensor(8, 2, 3, 3), y = e.CreateTensor(2, 8, 6, 6);
                x.CopyFrom(xs);
                w.CopyFrom(ws);
                e.Main.Conv2dForward(g, x.Storage, w.Storage, null, y.Storage);
                float[] got = y.ToArray();
                if (expected is null) expected = got;
                else for (int i = 0; i < got.Length; i++) Assert.AreEqual(expected[i], got[i], 1e-5f, $"element {i} (math types {string.Join(", ", tf32.Select(c => c.MathType))})");
            }
        }

        [TestMethod]
        public void ConvolutionWorkspace_IsTheLargerOfTheQuerysAndGetWorkspaceSizes()
        {
            string dir = RequireEmulator();
            using (Engine probe = EngineOn(dir)) RequireCudnn(probe);
            // The emulator's cudnnGet*WorkspaceSize then asks 4096 bytes more than the _v7 query's perf.memory, and each
            // convolution refuses a smaller workspace (CUDNN_STATUS_BAD_PARAM), as real cuDNN may.
            if (!ChildProcessTest.InChild(typeof(CudaReviewFixTests), nameof(ConvolutionWorkspace_IsTheLargerOfTheQuerysAndGetWorkspaceSizes), ("INITCORE_EMU_CUDNN_WORKSPACE_EXTRA", "4096"))) return;
            using Engine engine = EngineOn(dir);
            using Engine cpu = Engine.Create(new EngineOptions { Backend = BackendKind.Cpu });
            var g = new ConvGeometry(2, 3, 5, 5, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1);
            var choices = engine.Cuda!.ConvPlanChoices(g);
            ulong patch = 3 * 3 * 3;
            Assert.AreEqual(patch * 4 + 4096, choices[0].Bytes, "forward (algorithm 1): perf.memory + the extra cudnnGetConvolutionForwardWorkspaceSize asks for");
            var rng = new Random(11);
            float[] xs = Enumerable.Range(0, 2 * 3 * 25).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
            float[] ws = Enumerable.Range(0, 4 * 3 * 9).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
            float[] dys = Enumerable.Range(0, 2 * 4 * 25).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
            var results = new List<float[][]>();
            foreach (Engine e in new[] { cpu, engine })
            {
                using Tensor x = e.CreateTensor(2, 3, 5, 5), w = e.CreateTensor(4, 3, 3, 3), y = e.CreateTensor(2, 4, 5, 5), dy = e.CreateTensor(2, 4, 5, 5),
                    dx = e.CreateTensor(2, 3, 5, 5), dw = e.CreateTensor(4, 3, 3, 3);
                x.CopyFrom(xs);
                w.CopyFrom(ws);
                dy.CopyFrom(dys);
                e.Main.Conv2dForward(g, x.Storage, w.Storage, null, y.Storage);
                e.Main.Conv2dBackwardData(g, dy.Storage, w.Storage, dx.Storage);
                e.Main.Conv2dBackwardFilter(g, x.Storage, dy.Storage, dw.Storage, accumulate: false);
                results.Add(new[] { y.ToArray(), dx.ToArray(), dw.ToArray() });
            }
            for (int r = 0; r < 3; r++)
                for (int i = 0; i < results[0][r].Length; i++)
                    Assert.AreEqual(results[0][r][i], results[1][r][i], 1e-5f, $"output {r}, element {i}");
        }
    }
}
