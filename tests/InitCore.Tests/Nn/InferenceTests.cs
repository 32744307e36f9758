using System;
using System.Linq;
using InitCore.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Nn
{
    /// <summary>
    /// Module.Infer: the same bits as Forward in evaluation mode, no garbage and no device allocation in the steady
    /// state (counts, not times), buffers reused until the shape changes, and Forward/Backward undisturbed.
    /// </summary>
    public abstract class InferenceTests : BackendFixture
    {
        protected Engine Engine4(ulong seed = 7)
        {
            if (Kind == BackendKind.Cuda) return NewEngine(seed);
            // Four workers, so the allocation-free fork–join helpers really run (on any machine).
            return Engine.Create(new EngineOptions { Backend = BackendKind.Cpu, Seed = seed, ThreadCount = 4 });
        }

        protected static Sequential Mlp(Engine e) => new Sequential(e, new Linear(e, 16, 64), new ReLU(e), new Linear(e, 64, 4));

        /// <summary>A model with every layer kind that has an inference path.</summary>
        protected static Sequential Mixed(Engine e) => new Sequential(e,
            new Conv2d(e, 3, 8, 3, padding: 1), new BatchNorm2d(e, 8), new LeakyReLU(e, 0.1), new MaxPool2d(e, 2),
            new Conv2d(e, 8, 16, 3, stride: 2, padding: 1), new GeneralReLU(e, 0.1, 0.4, 6.0),
            new AdaptiveAvgPool2d(e), new Flatten(e), new Linear(e, 16, 5));

        protected static Tensor Input(Engine e, int seed, params int[] shape) => e.CreateTensor(GradCheck.Normal(shape.Aggregate(1, (a, b) => a * b), seed), shape);

        private static void SameBits(float[] expected, float[] actual, string what)
        {
            Assert.AreEqual(expected.Length, actual.Length, what);
            for (int i = 0; i < expected.Length; i++)
                Assert.AreEqual(BitConverter.SingleToInt32Bits(expected[i]), BitConverter.SingleToInt32Bits(actual[i]), $"{what}[{i}]: Forward {expected[i]}, Infer {actual[i]}");
        }

        private static void GiveBatchNormStatistics(Sequential model, Engine e)
        {
            // Non-trivial running statistics, so evaluation mode differs from training mode.
            var bn = (BatchNorm2d)model[1];
            bn.RunningMean.CopyFrom(Enumerable.Range(0, 8).Select(i => 0.1f * i - 0.3f).ToArray());
            bn.RunningVar.CopyFrom(Enumerable.Range(0, 8).Select(i => 0.5f + 0.2f * i).ToArray());
            bn.Weight.Value.CopyFrom(Enumerable.Range(0, 8).Select(i => 1f + 0.05f * i).ToArray());
        }

        [TestMethod]
        public void Infer_GivesForwardsBitsInEvaluationMode()
        {
            using Engine e = Engine4();
            foreach (Sequential model in new[] { Mlp(e), LessonModels.Cnn(e), Mixed(e) })
            {
                if (model.Count == 9) GiveBatchNormStatistics(model, e);
                model.Eval();
                int[] shape = model[0] is Linear ? new[] { 32, 16 } : model.Count == 9 ? new[] { 4, 3, 12, 12 } : new[] { 16, 1, 28, 28 };
                using Tensor x = Input(e, 5, shape);
                float[] forward = model.Forward(x).ToArray();
                SameBits(forward, model.Infer(x).ToArray(), model[0].Describe());
                SameBits(forward, model.Infer(x).ToArray(), model[0].Describe() + " (second call, reused buffers)");
            }
        }

        [TestMethod]
        public void Infer_ReturnsTheSameBufferUntilTheShapeChanges()
        {
            using Engine e = Engine4();
            Sequential model = Mlp(e);
            using Tensor a = Input(e, 1, 8, 16), b = Input(e, 2, 8, 16), c = Input(e, 3, 3, 16);
            Tensor ya = model.Infer(a);
            float[] first = ya.ToArray();
            Tensor yb = model.Infer(b);
            Assert.AreSame(ya, yb, "same shape: the module's buffer is reused");
            CollectionAssert.AreNotEqual(first, yb.ToArray(), "the buffer now holds the second call's result");
            Tensor yc = model.Infer(c);
            Assert.AreNotSame(yb, yc, "a new batch size gets a new buffer");
            CollectionAssert.AreEqual(new[] { 3, 4 }, yc.Shape.ToArray());
            Assert.AreSame(yc, model.Infer(c));
        }

        [TestMethod]
        public void Infer_DoesNotDisturbForwardAndBackward()
        {
            using Engine e = Engine4();
            Sequential a = Mixed(e), b = Mixed(e);
            foreach (var ((_, pa), (_, pb)) in a.NamedParameters().Zip(b.NamedParameters())) pb.Value.CopyFrom(pa.Value.ToArray());
            using Tensor x = Input(e, 4, 2, 3, 12, 12), other = Input(e, 9, 5, 3, 12, 12);
            Tensor ya = a.Forward(x), yb = b.Forward(x);
            float[] meanBefore = ((BatchNorm2d)a[1]).RunningMean.ToArray();
            a.Infer(other); // between Forward and Backward, in training mode, with another batch size
            CollectionAssert.AreEqual(meanBefore, ((BatchNorm2d)a[1]).RunningMean.ToArray(), "Infer updates no running statistics, even in training mode");
            float[] g = GradCheck.Normal((int)ya.Length, 6);
            using Tensor ga = e.CreateTensor(g, ya.ShapeArray), gb = e.CreateTensor(g, yb.ShapeArray);
            SameBits(b.Backward(gb).ToArray(), a.Backward(ga).ToArray(), "input gradient");
            foreach (var ((name, pa), (_, pb)) in a.NamedParameters().Zip(b.NamedParameters()))
                SameBits(pb.Grad.ToArray(), pa.Grad.ToArray(), name + " gradient");
        }

        [TestMethod]
        public void Infer_InTrainingMode_UsesRunningStatistics()
        {
            using Engine e = Engine4();
            Sequential model = Mixed(e);
            GiveBatchNormStatistics(model, e);
            using Tensor x = Input(e, 8, 4, 3, 12, 12);
            float[] training = model.Infer(x).ToArray();
            model.Eval();
            SameBits(model.Forward(x).ToArray(), training, "Infer before Eval()");
        }

        [TestMethod]
        public void Infer_RejectsBadInputByTypeAndMessage()
        {
            using Engine e = Engine4();
            using Engine other = CpuEngine();
            var linear = new Linear(e, 4, 4);
            Assert.AreEqual("input", Assert.ThrowsExactly<ArgumentNullException>(() => linear.Infer(null!)).ParamName);
            using Tensor foreign = other.CreateTensor(2, 4);
            var ex = Assert.ThrowsExactly<ArgumentException>(() => linear.Infer(foreign));
            StringAssert.Contains(ex.Message, "another engine");
            using Tensor wrong = e.CreateTensor(2, 5);
            ex = Assert.ThrowsExactly<ArgumentException>(() => linear.Infer(wrong));
            StringAssert.Contains(ex.Message, "Linear(4→4) expects input [batch, 4], got [2, 5]");
            Assert.AreEqual("input", ex.ParamName);
            using Tensor x = Input(e, 1, 2, 4);
            Tensor y = linear.Infer(x);
            float[] before = y.ToArray();
            ex = Assert.ThrowsExactly<ArgumentException>(() => linear.Infer(y));
            StringAssert.Contains(ex.Message, "own inference output");
            StringAssert.Contains(ex.Message, "copy it first");
            CollectionAssert.AreEqual(before, y.ToArray(), "the failed call changed nothing");
            // Activations work in place on their own output.
            var relu = new ReLU(e);
            Tensor r = relu.Infer(x);
            Assert.AreSame(r, relu.Infer(r));
            // The module stays usable after the errors.
            SameBits(before, linear.Infer(x).ToArray(), "after the errors");
        }

        [TestMethod]
        public void ReleaseInferenceBuffers_InvalidatesTheResultAndTheNextCallRecreatesIt()
        {
            using Engine e = Engine4();
            Sequential model = Mlp(e);
            using Tensor x = Input(e, 1, 2, 16);
            Tensor y = model.Infer(x);
            float[] expected = y.ToArray();
            model.ReleaseInferenceBuffers();
            var ex = Assert.ThrowsExactly<ObjectDisposedException>(() => y.ToArray());
            StringAssert.Contains(ex.Message, "disposed");
            Tensor again = model.Infer(x);
            Assert.AreNotSame(y, again);
            SameBits(expected, again.ToArray(), "after release");
        }

        [TestMethod]
        public void Infer_RunsForwardHooks()
        {
            using Engine e = Engine4();
            Sequential model = Mlp(e);
            int calls = 0;
            using HookHandle h = model[1].RegisterForwardHook((m, i, o) => calls++);
            using Tensor x = Input(e, 1, 2, 16);
            model.Infer(x);
            Assert.AreEqual(1, calls);
        }
    }

    [TestClass]
    public sealed class CpuInferenceTests : InferenceTests
    {
        protected override BackendKind Kind => BackendKind.Cpu;

        /// <summary>Calls Infer until warm, then counts the bytes <paramref name="calls"/> more calls allocate in all.</summary>
        private static long AllocatedBytes(Module model, Tensor x, int calls)
        {
            for (int i = 0; i < 20; i++) model.Infer(x);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < calls; i++) model.Infer(x);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        [TestMethod]
        public void Infer_AllocatesNothingPerCall_Mlp()
        {
            using Engine e = Engine4();
            Sequential model = Mlp(e);
            model.Eval();
            foreach (int batch in new[] { 1, 256 })
            {
                using Tensor x = Input(e, 2, batch, 16);
                Assert.AreEqual(0L, AllocatedBytes(model, x, 200), $"16→64→4 MLP, batch {batch}: managed bytes allocated by 200 steady-state Infer calls");
                // Forward allocates (its outputs, its caches): the measurement does see garbage when there is some.
                long forwardBefore = GC.GetAllocatedBytesForCurrentThread();
                model.Forward(x);
                Assert.IsTrue(GC.GetAllocatedBytesForCurrentThread() - forwardBefore > 0, "the probe detects allocations");
            }
        }

        [TestMethod]
        public void Infer_AllocatesNothingPerCall_LessonCnn()
        {
            using Engine e = Engine4();
            Sequential model = LessonModels.Cnn(e);
            model.Eval();
            using Tensor x = Input(e, 3, 64, 1, 28, 28);
            Assert.AreEqual(0L, AllocatedBytes(model, x, 20), "lessons' CNN, batch 64: managed bytes allocated by 20 steady-state Infer calls");
        }

        [TestMethod]
        public void Infer_AllocatesNothingPerCall_MixedLayers()
        {
            using Engine e = Engine4();
            Sequential model = Mixed(e);
            model.Eval();
            using Tensor x = Input(e, 3, 8, 3, 12, 12);
            Assert.AreEqual(0L, AllocatedBytes(model, x, 20), "conv, batch norm, pooling, flatten: managed bytes allocated by 20 steady-state Infer calls");
        }
    }

    [TestClass]
    public sealed class CudaInferenceTests : InferenceTests
    {
        protected override BackendKind Kind => BackendKind.Cuda;

        [TestMethod]
        public void Infer_MakesNoDeviceAllocationPerCall()
        {
            using Engine e = NewEngine(7);
            var cuda = e.Cuda!;
            foreach (Sequential model in new[] { new Sequential(e, new Linear(e, 16, 64), new ReLU(e), new Linear(e, 64, 4)), LessonModels.Cnn(e) })
            {
                model.Eval();
                using Tensor x = model[0] is Linear ? e.CreateTensor(GradCheck.Normal(32 * 16, 1), 32, 16) : e.CreateTensor(GradCheck.Normal(16 * 784, 1), 16, 1, 28, 28);
                for (int i = 0; i < 5; i++) model.Infer(x);
                e.Synchronize();
                long storages = cuda.StorageAllocations, mallocs = cuda.DeviceAllocations;
                for (int i = 0; i < 50; i++) model.Infer(x);
                e.Synchronize();
                Assert.AreEqual(storages, cuda.StorageAllocations, $"{model[0].Describe()}: tensor storages taken from the pool in 50 steady-state calls");
                Assert.AreEqual(mallocs, cuda.DeviceAllocations, $"{model[0].Describe()}: cuMemAlloc calls in 50 steady-state calls");
            }
        }
    }
}
