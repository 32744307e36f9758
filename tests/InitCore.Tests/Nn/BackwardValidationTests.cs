using System;
using System.Collections.Generic;
using System.Linq;
using InitCore.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Nn
{
    /// <summary>
    /// No bad gradient reaches a kernel: every layer's Backward checks gradOutput (shape against the last forward
    /// output, engine, a forward pass first) before anything changes, and every loss checks its target before any
    /// work. Swept over every layer and loss type, on each backend; <see cref="EveryModuleAndLossType_IsInTheSweep"/>
    /// fails when a new layer is added without a sweep entry.
    /// </summary>
    public abstract class BackwardValidationTests : BackendFixture
    {
        /// <summary>One sweep entry: a layer, a valid input shape, and an input shape its forward rejects (null when it accepts any).</summary>
        internal sealed record LayerCase(string Name, Func<Engine, Module> Make, int[] Input, int[]? BadInput);

        internal static readonly LayerCase[] Layers =
        {
            new("Linear", e => new Linear(e, 6, 4), new[] { 3, 6 }, new[] { 3, 5 }),
            new("Linear, no bias", e => new Linear(e, 6, 4, bias: false), new[] { 3, 6 }, new[] { 3, 6, 1 }),
            new("Conv2d", e => new Conv2d(e, 2, 4, 3, padding: 1), new[] { 2, 2, 6, 6 }, new[] { 2, 3, 6, 6 }),
            new("Conv2d, grouped, strided, no bias", e => new Conv2d(e, 2, 4, 3, stride: 2, groups: 2, bias: false), new[] { 2, 2, 7, 7 }, new[] { 2, 2, 2, 2 }),
            new("ReLU", e => new ReLU(e), new[] { 2, 3, 4 }, null),
            new("LeakyReLU", e => new LeakyReLU(e, 0.1), new[] { 5, 7 }, null),
            new("GeneralReLU", e => new GeneralReLU(e, 0.1, 0.4, 6.0), new[] { 2, 3, 4, 4 }, null),
            new("MaxPool2d", e => new MaxPool2d(e, 2), new[] { 2, 3, 6, 6 }, new[] { 3, 6, 6 }),
            new("AdaptiveAvgPool2d", e => new AdaptiveAvgPool2d(e), new[] { 2, 3, 5, 5 }, new[] { 3, 5, 5 }),
            new("Flatten", e => new Flatten(e), new[] { 2, 3, 4, 4 }, Array.Empty<int>()),
            new("BatchNorm2d", e => new BatchNorm2d(e, 3), new[] { 4, 3, 5, 5 }, new[] { 4, 2, 5, 5 }),
            new("Sequential", e => new Sequential(e, new Conv2d(e, 1, 4, 3), new ReLU(e), new MaxPool2d(e, 2), new Flatten(e), new Linear(e, 36, 5)),
                new[] { 2, 1, 8, 8 }, new[] { 2, 1, 10, 10 }),
            new("Tanh", e => new Tanh(e), new[] { 2, 3, 4 }, null),
            new("Sigmoid", e => new Sigmoid(e), new[] { 5, 7 }, null),
            new("GELU", e => new GELU(e), new[] { 2, 3, 4, 4 }, null),
            new("SiLU", e => new SiLU(e), new[] { 5, 7 }, null),
            new("ELU", e => new ELU(e, 0.5), new[] { 5, 7 }, null),
            new("SELU", e => new SELU(e), new[] { 5, 7 }, null),
            new("Softplus", e => new Softplus(e, 2.0, 1.0), new[] { 5, 7 }, null),
            new("Dropout", e => new Dropout(e, 0.3), new[] { 4, 9 }, null),
            new("Conv2d, rectangular", e => new Conv2d(e, 2, 3, (1, 3), stride: (2, 1), padding: (0, 1), dilation: (1, 2)), new[] { 2, 2, 5, 6 }, new[] { 2, 3, 5, 6 }),
            new("Residual", e => new Residual(e, new Sequential(e, new Linear(e, 6, 6), new GELU(e), new Linear(e, 6, 6))), new[] { 3, 6 }, new[] { 3, 5 }),
            new("Residual, projected", e => new Residual(e, new Conv2d(e, 2, 4, 3, stride: 2, padding: 1), new Conv2d(e, 2, 4, 1, stride: 2, bias: false)),
                new[] { 2, 2, 6, 6 }, new[] { 2, 3, 6, 6 }),
        };

        /// <summary>Gradient shapes that differ from <paramref name="output"/>: the issue's [1, 4], one element short, one
        /// row too many, the same element count in another shape, a scalar and an empty tensor.</summary>
        internal static IEnumerable<int[]> WrongShapes(int[] output)
        {
            yield return new[] { 1, 4 };
            int[] shorter = (int[])output.Clone();
            if (shorter[^1] > 1) shorter[^1]--; else shorter[0]++;
            yield return shorter;
            int[] longer = (int[])output.Clone();
            longer[0]++;
            yield return longer;
            yield return new[] { output.Aggregate(1, (a, b) => a * b) };
            yield return Array.Empty<int>();
            yield return new[] { 0 };
        }

        private static string Shape(IEnumerable<int> s) => "[" + string.Join(", ", s) + "]";

        private Tensor Input(Engine e, int[] shape) => e.CreateTensor(GradCheck.Normal(shape.Aggregate(1, (a, b) => a * b), 7), shape);

        /// <summary>The parameter gradients and the input gradient after one correct backward pass, on a fresh engine.</summary>
        private (float[][] Grads, float[] Dx) Reference(LayerCase c, float[] dy)
        {
            using Engine e = NewEngine(5);
            Module m = c.Make(e);
            using Tensor x = Input(e, c.Input);
            Tensor y = m.Forward(x);
            using Tensor g = e.CreateTensor(dy, y.ShapeArray);
            float[] dx = m.Backward(g).ToArray();
            return (m.Parameters().Select(p => p.Grad.ToArray()).ToArray(), dx);
        }

        private void Same(float[] expected, float[] actual, string what)
        {
            Assert.AreEqual(expected.Length, actual.Length, what);
            double tolerance = Kind == BackendKind.Cpu ? 0 : 1e-5 * (1 + expected.Select(v => Math.Abs((double)v)).DefaultIfEmpty(0).Max());
            for (int i = 0; i < expected.Length; i++) Assert.AreEqual(expected[i], actual[i], tolerance, $"{what}[{i}]");
        }

        [TestMethod]
        public void ConvBackward_WithTheIssuesTinyGradient_ThrowsNamingGradOutput()
        {
            using Engine e = NewEngine();
            var conv = new Conv2d(e, 1, 4, 3, bias: false);
            using Tensor x = e.CreateTensor(64, 1, 128, 128);
            conv.Forward(x);
            using Tensor g = e.CreateTensor(1, 4);
            var ex = Assert.ThrowsExactly<ArgumentException>(() => conv.Backward(g));
            Assert.AreEqual("gradOutput", ex.ParamName);
            StringAssert.Contains(ex.Message, "[1, 4]");
            StringAssert.Contains(ex.Message, "[64, 4, 126, 126]");
            Assert.IsTrue(conv.Weight.Grad.ToArray().All(v => v == 0f), "the failed backward accumulated into the weight gradient");
        }

        [TestMethod]
        public void EveryLayer_WrongGradientShape_ThrowsArgumentException_AndChangesNothing()
        {
            EveryModuleAndLossType_IsInTheSweep();
            foreach (LayerCase c in Layers)
            {
                using Engine e = NewEngine(5);
                Module m = c.Make(e);
                using Tensor x = Input(e, c.Input);
                Tensor y = m.Forward(x);
                int[] output = y.ShapeArray;
                foreach (int[] wrong in WrongShapes(output))
                {
                    using Tensor g = e.CreateTensor(wrong);
                    var ex = Assert.ThrowsExactly<ArgumentException>(() => m.Backward(g), $"{c.Name}: gradient {Shape(wrong)}");
                    Assert.AreEqual("gradOutput", ex.ParamName, c.Name);
                    StringAssert.Contains(ex.Message, Shape(wrong), c.Name);
                    StringAssert.Contains(ex.Message, Shape(output), c.Name);
                }
                foreach (Parameter p in m.Parameters())
                    Assert.IsTrue(p.Grad.ToArray().All(v => v == 0f), $"{c.Name}: a rejected gradient changed {p.Name}'s gradient");

                // Still usable, and the rejected calls left nothing behind: the same results as a layer that only saw the good call.
                float[] dy = GradCheck.Normal((int)y.Length, 9);
                using Tensor good = e.CreateTensor(dy, output);
                Tensor dx = m.Backward(good);
                CollectionAssert.AreEqual(c.Input, dx.ShapeArray, c.Name);
                var (grads, refDx) = Reference(c, dy);
                Same(refDx, dx.ToArray(), $"{c.Name} input gradient");
                Parameter[] ps = m.Parameters().ToArray();
                for (int i = 0; i < ps.Length; i++) Same(grads[i], ps[i].Grad.ToArray(), $"{c.Name} {ps[i].Name} gradient");
            }
        }

        [TestMethod]
        public void EveryLayer_BackwardBeforeForward_ThrowsInvalidOperation()
        {
            foreach (LayerCase c in Layers)
            {
                using Engine e = NewEngine();
                Module m = c.Make(e);
                using Tensor x = Input(e, c.Input);
                int[] output = c.Make(e).Forward(x).ShapeArray; // a twin's output shape
                using Tensor g = e.CreateTensor(output);
                var ex = Assert.ThrowsExactly<InvalidOperationException>(() => m.Backward(g), c.Name);
                StringAssert.Contains(ex.Message, m.Describe(), c.Name);
                StringAssert.Contains(ex.Message, "Forward", c.Name);
                Assert.IsTrue(m.Parameters().All(p => p.Grad.ToArray().All(v => v == 0f)), c.Name);
            }
        }

        [TestMethod]
        public void EveryLayer_BackwardAfterAFailedForward_ThrowsInvalidOperation()
        {
            foreach (LayerCase c in Layers.Where(c => c.BadInput is not null))
            {
                using Engine e = NewEngine();
                Module m = c.Make(e);
                using Tensor x = Input(e, c.Input);
                int[] output = m.Forward(x).ShapeArray;
                using Tensor bad = e.CreateTensor(c.BadInput!);
                Assert.ThrowsExactly<ArgumentException>(() => m.Forward(bad), $"{c.Name}: input {Shape(c.BadInput!)}");
                using Tensor g = e.CreateTensor(output);
                Assert.ThrowsExactly<InvalidOperationException>(() => m.Backward(g), c.Name);
                // A good forward makes it usable again.
                m.Forward(x);
                CollectionAssert.AreEqual(c.Input, m.Backward(g).ShapeArray, c.Name);
            }
        }

        [TestMethod]
        public void EveryLayer_ForeignNullOrDisposedGradient_ThrowsBeforeAnythingChanges()
        {
            foreach (LayerCase c in Layers)
            {
                using Engine e = NewEngine();
                using Engine other = CpuEngine();
                Module m = c.Make(e);
                using Tensor x = Input(e, c.Input);
                Tensor y = m.Forward(x);
                using Tensor g = other.CreateTensor(y.ShapeArray);
                var ex = Assert.ThrowsExactly<ArgumentException>(() => m.Backward(g), c.Name);
                Assert.AreEqual("gradOutput", ex.ParamName, c.Name);
                StringAssert.Contains(ex.Message, "another engine", c.Name);
                var nullEx = Assert.ThrowsExactly<ArgumentNullException>(() => m.Backward(null!), c.Name);
                Assert.AreEqual("gradOutput", nullEx.ParamName, c.Name);
                Tensor disposed = e.CreateTensor(y.ShapeArray);
                disposed.Dispose();
                Assert.ThrowsExactly<ObjectDisposedException>(() => m.Backward(disposed), c.Name);
                Assert.IsTrue(m.Parameters().All(p => p.Grad.ToArray().All(v => v == 0f)), c.Name);
            }
        }

        // ------------------------------------------------------------------ losses

        /// <summary>One loss sweep entry: the loss, a valid prediction shape and target, and a target of the wrong size.</summary>
        internal sealed record LossCase(string Name, Func<Loss> Make, int[] Prediction, Func<Engine, Tensor> Target, int[] WrongTarget);

        internal static readonly LossCase[] Losses =
        {
            new("MseLoss", () => new MseLoss(), new[] { 4, 3 }, e => e.CreateTensor(GradCheck.Normal(12, 2), 4, 3), new[] { 4, 2 }),
            new("CrossEntropyLoss", () => new CrossEntropyLoss(), new[] { 4, 3 }, e => e.CreateTensor(new[] { 0f, 2f, 1f, 2f }, 4), new[] { 5 }),
        };

        [TestMethod]
        public void EveryLoss_BadTarget_ThrowsNamingTarget_AndKeepsThePreviousPass()
        {
            foreach (LossCase c in Losses)
            {
                using Engine e = NewEngine();
                using Engine other = CpuEngine();
                Loss loss = c.Make();
                StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() => loss.Backward(), c.Name).Message, "before Forward", c.Name);
                using Tensor p = e.CreateTensor(GradCheck.Normal(c.Prediction.Aggregate(1, (a, b) => a * b), 3), c.Prediction);
                using Tensor t = c.Target(e);
                double value = loss.Forward(p, t);
                float[] grad = loss.Backward().ToArray();

                using Tensor wrong = e.CreateTensor(c.WrongTarget);
                Assert.AreEqual("target", Assert.ThrowsExactly<ArgumentException>(() => loss.Forward(p, wrong), c.Name).ParamName, c.Name);
                using Tensor foreign = c.Target(other);
                var ex = Assert.ThrowsExactly<ArgumentException>(() => loss.Forward(p, foreign), c.Name);
                Assert.AreEqual("target", ex.ParamName, c.Name);
                StringAssert.Contains(ex.Message, "another engine", c.Name);
                Assert.AreEqual("prediction", Assert.ThrowsExactly<ArgumentNullException>(() => loss.Forward(null!, t), c.Name).ParamName, c.Name);
                Assert.AreEqual("target", Assert.ThrowsExactly<ArgumentNullException>(() => loss.Forward(p, null!), c.Name).ParamName, c.Name);

                CollectionAssert.AreEqual(grad, loss.Backward().ToArray(), $"{c.Name}: a rejected forward changed the cached pass");
                Assert.AreEqual(value, loss.Forward(p, t), c.Name);
            }
        }

        [TestMethod]
        [DataRow(-1f)]
        [DataRow(3f)]
        [DataRow(0.5f)]
        [DataRow(-0.5f)]
        [DataRow(1e10f)]
        [DataRow(float.NaN)]
        [DataRow(float.PositiveInfinity)]
        [DataRow(float.NegativeInfinity)]
        public void CrossEntropy_BadLabel_IsAPlainArgumentException_OnAnyThreadCount(float label)
        {
            foreach (int threads in new[] { 1, 4 })
            {
                using Engine e = Kind == BackendKind.Cpu
                    ? Engine.Create(new EngineOptions { Backend = BackendKind.Cpu, ThreadCount = threads })
                    : NewEngine();
                const int n = 64, classes = 3;
                float[] labels = Enumerable.Range(0, n).Select(i => (float)(i % classes)).ToArray();
                labels[37] = label;
                using Tensor z = e.CreateTensor(GradCheck.Normal(n * classes, 1), n, classes);
                using Tensor t = e.CreateTensor(labels, n);
                var loss = new CrossEntropyLoss();
                var ex = Assert.ThrowsExactly<ArgumentException>(() => loss.Forward(z, t), $"label {label}, {threads} threads");
                Assert.AreEqual("target", ex.ParamName);
                StringAssert.Contains(ex.Message, "index 37");
                StringAssert.Contains(ex.Message, "0..2");
                Assert.ThrowsExactly<InvalidOperationException>(() => loss.Backward(), "a rejected forward must cache nothing");

                labels[37] = 1f;
                t.CopyFrom(labels);
                Assert.IsTrue(double.IsFinite(loss.Forward(z, t)), "usable after the error");
            }
        }

        [TestMethod]
        public void CrossEntropy_LabelsChangedAfterForward_DoNotReachBackward()
        {
            using Engine e = NewEngine();
            var loss = new CrossEntropyLoss();
            using Tensor z = e.CreateTensor(GradCheck.Normal(8 * 5, 2), 8, 5);
            using Tensor t = e.CreateTensor(new[] { 0f, 1f, 2f, 3f, 4f, 0f, 1f, 2f }, 8);
            loss.Forward(z, t);
            float[] expected = loss.Backward().ToArray();
            loss.Forward(z, t);
            t.CopyFrom(new[] { 1e9f, -7f, 2f, 3f, 4f, 0f, 1f, 2f }); // out of range now: backward must use the labels forward checked
            CollectionAssert.AreEqual(expected, loss.Backward().ToArray());
        }

        /// <summary>Fails when a public layer or loss type has no sweep entry, so new layers are covered.</summary>
        private static void EveryModuleAndLossType_IsInTheSweep()
        {
            using Engine e = CpuEngine();
            var swept = new HashSet<Type>(Layers.Select(c => c.Make(e)).SelectMany(m => m.Modules()).Select(m => m.GetType()));
            Type[] all = typeof(Module).Assembly.GetTypes().Where(t => typeof(Module).IsAssignableFrom(t) && !t.IsAbstract && t.IsPublic).ToArray();
            Assert.IsTrue(all.Length >= 10, "the reflection found too few layer types");
            foreach (Type t in all) Assert.IsTrue(swept.Contains(t), $"{t.Name} is not in BackwardValidationTests.Layers; add a sweep entry for it.");
            var losses = new HashSet<Type>(Losses.Select(c => c.Make().GetType()));
            foreach (Type t in typeof(Loss).Assembly.GetTypes().Where(t => typeof(Loss).IsAssignableFrom(t) && !t.IsAbstract && t.IsPublic))
                Assert.IsTrue(losses.Contains(t), $"{t.Name} is not in BackwardValidationTests.Losses; add a sweep entry for it.");
        }
    }

    [TestClass]
    public sealed class CpuBackwardValidationTests : BackwardValidationTests
    {
        protected override BackendKind Kind => BackendKind.Cpu;
    }

    [TestClass]
    public sealed class CudaBackwardValidationTests : BackwardValidationTests
    {
        protected override BackendKind Kind => BackendKind.Cuda;
    }
}
