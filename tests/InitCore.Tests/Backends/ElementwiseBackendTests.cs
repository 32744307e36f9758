using System;
using System.Linq;
using InitCore.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Backends
{
    /// <summary>Activations and scale/shift on a backend against the scalar formulas: bit-identical (0 ulp).</summary>
    public abstract class ElementwiseBackendTests : BackendFixture
    {
        private static float[] Inputs()
        {
            var special = new[] { 0f, -0f, 1f, -1f, 0.5f, -0.5f, 2.9f, 3f, 3.1f, 6f, 100f, -100f, float.Epsilon, -float.Epsilon };
            var rng = new Random(3);
            return special.Concat(Enumerable.Range(0, 200_000).Select(_ => (float)(rng.NextDouble() * 12 - 6))).ToArray();
        }

        public static System.Collections.Generic.IEnumerable<object?[]> Activations => new[]
        {
            new object?[] { "relu", 0.0, 0.0, null },
            new object?[] { "leaky", 0.1, 0.0, null },
            new object?[] { "general", 0.1, 0.4, 6.0 },
            new object?[] { "general-nomax", 0.0, 0.5, null },
        };

        [TestMethod]
        [DynamicData(nameof(Activations))]
        public void Activation_ForwardAndBackward_MatchScalarFormulas(string name, double leak, double sub, double? maxv)
        {
            using Engine engine = NewEngine();
            float[] xs = Inputs();
            var rng = new Random(4);
            float[] dys = xs.Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
            using Tensor x = engine.CreateTensor(xs, xs.Length);
            using Tensor dy = engine.CreateTensor(dys, xs.Length);
            using Tensor y = engine.CreateTensor(xs.Length);
            using Tensor dx = engine.CreateTensor(xs.Length);
            switch (name)
            {
                case "relu": TensorOps.Relu(x, y); TensorOps.ReluBackward(x, dy, dx); break;
                case "leaky": TensorOps.LeakyRelu(x, y, leak); TensorOps.LeakyReluBackward(x, dy, dx, leak); break;
                default: TensorOps.GeneralRelu(x, y, leak, sub, maxv); TensorOps.GeneralReluBackward(x, dy, dx, leak, sub, maxv); break;
            }
            var spec = new ActivationSpec((float)leak, (float)sub, maxv is double m ? (float)m : null);
            float[] ys = y.ToArray(), dxs = dx.ToArray();
            for (int i = 0; i < xs.Length; i++)
            {
                float ey = ActivationFormulas.Forward(spec, xs[i]);
                float edx = ActivationFormulas.Backward(spec, xs[i], dys[i]);
                Assert.AreEqual(BitConverter.SingleToInt32Bits(ey), BitConverter.SingleToInt32Bits(ys[i]), $"{name} forward at x={xs[i]:R}");
                Assert.AreEqual(BitConverter.SingleToInt32Bits(edx), BitConverter.SingleToInt32Bits(dxs[i]), $"{name} backward at x={xs[i]:R}");
            }
        }

        [TestMethod]
        public void GeneralRelu_MatchesFastaiDefinition()
        {
            // GeneralRelu(leak=0.1, sub=0.4, maxv=6): leaky_relu, subtract, clamp_max.
            using Engine engine = NewEngine();
            using Tensor x = engine.CreateTensor(new[] { -2f, 0f, 1f, 7f }, 4);
            using Tensor y = engine.CreateTensor(4);
            TensorOps.GeneralRelu(x, y, 0.1, 0.4, 6.0);
            CollectionAssert.AreEqual(new[] { -2f * 0.1f - 0.4f, 0f - 0.4f, 1f - 0.4f, 6f }, y.ToArray());
        }

        [TestMethod]
        public void ScaleShift_IsTwoRoundings()
        {
            using Engine engine = NewEngine();
            float[] xs = Inputs();
            using Tensor x = engine.CreateTensor(xs, xs.Length);
            TensorOps.ScaleShift(x, 0.37, -1.25);
            float[] actual = x.ToArray();
            for (int i = 0; i < xs.Length; i++)
            {
                float expected = xs[i] * 0.37f + -1.25f;
                Assert.AreEqual(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(actual[i]), $"x={xs[i]:R}");
            }
        }

        [TestMethod]
        public void Activation_ShapeMismatch_ThrowsNamingArgument()
        {
            using Engine engine = NewEngine();
            using Tensor x = engine.CreateTensor(2, 3);
            using Tensor y = engine.CreateTensor(3, 2);
            var ex = Assert.ThrowsExactly<ArgumentException>(() => TensorOps.Relu(x, y));
            Assert.AreEqual("y", ex.ParamName);
            StringAssert.Contains(ex.Message, "[3, 2]");
        }
    }

    [TestClass]
    public sealed class CpuElementwiseBackendTests : ElementwiseBackendTests
    {
        protected override BackendKind Kind => BackendKind.Cpu;
    }

    [TestClass]
    public sealed class CudaElementwiseBackendTests : ElementwiseBackendTests
    {
        protected override BackendKind Kind => BackendKind.Cuda;
    }
}
