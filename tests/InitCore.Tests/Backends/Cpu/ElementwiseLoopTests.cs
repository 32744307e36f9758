using System;
using System.Linq;
using System.Numerics;
using InitCore.Backends.Cpu;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Backends
{
    /// <summary>The element-wise loop driver: the vector body and the scalar tail of an operator struct give the same bits, at any offset and length.</summary>
    [TestClass]
    public sealed class ElementwiseLoopTests
    {
        private static readonly float[] Specials =
        {
            0f, -0f, 1f, -1f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, -float.Epsilon,
            float.MaxValue, float.MinValue, 1e-38f, -3.5f, 0.2f, 0.19999999f, 7.25f,
        };

        private static float[] Inputs(int n, int seed)
        {
            var rng = new Random(seed);
            return Enumerable.Range(0, n).Select(i => i % 3 == 0 ? Specials[i / 3 % Specials.Length] : (float)(rng.NextDouble() * 8 - 4)).ToArray();
        }

        private static void AssertBits(float expected, float actual, string what)
            => Assert.AreEqual(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(actual), $"{what}: expected {expected:R}, got {actual:R}");

        [TestMethod]
        public void Map_EveryOffsetAndLength_MatchesTheScalarFormPerElement()
        {
            int w = Vector<float>.Count;
            float[] x = Inputs(4 * w + 7, 1);
            var ops = new (string Name, Func<float, float> Scalar, Action<float[], int, float[], int, int> Map)[]
            {
                ("scale-shift", v => v * 1.7f + -0.3f, (a, i, b, j, n) => ElementwiseLoop.Map(new Elementwise.ScaleShiftOp(1.7f, -0.3f), a, i, b, j, n)),
                ("shift", v => v + 0.45f, (a, i, b, j, n) => ElementwiseLoop.Map(new Elementwise.ShiftOp(0.45f), a, i, b, j, n)),
            };
            foreach (var op in ops)
                for (int start = 0; start <= w + 1; start++)
                    for (int count = 0; count <= 3 * w + 3; count++)
                    {
                        var y = Enumerable.Repeat(-123f, count + 2).ToArray();
                        op.Map(x, start, y, 1, count);
                        AssertBits(-123f, y[0], $"{op.Name}: before the destination");
                        AssertBits(-123f, y[count + 1], $"{op.Name}: past the destination");
                        for (int i = 0; i < count; i++) AssertBits(op.Scalar(x[start + i]), y[1 + i], $"{op.Name} start {start} count {count} at {i} (x = {x[start + i]:R})");
                    }
        }

        [TestMethod]
        public void AddMultiplyAndDropoutMask_OnTheCpuBackend_MatchTheScalarFormulas()
        {
            using Engine engine = Engine.Create(new EngineOptions { Backend = BackendKind.Cpu, ThreadCount = 3 });
            int n = (1 << 17) + 5; // two parallel chunks and a tail
            float[] a = Inputs(n, 2), b = Inputs(n, 3);
            using Tensor ta = engine.CreateTensor(a, n), tb = engine.CreateTensor(b, n), tc = engine.CreateTensor(n);
            engine.Main.Add(ta.Storage, tb.Storage, tc.Storage);
            float[] sum = tc.ToArray();
            engine.Main.Multiply(ta.Storage, tb.Storage, tc.Storage);
            float[] product = tc.ToArray();
            engine.Main.DropoutMask(ta.Storage, 0.2f, 1.25f);
            float[] mask = ta.ToArray();
            for (int i = 0; i < n; i++)
            {
                AssertBits(a[i] + b[i], sum[i], $"add at {i}");
                AssertBits(a[i] * b[i], product[i], $"multiply at {i}");
                AssertBits(a[i] < 0.2f ? 0f : 1.25f, mask[i], $"dropout mask at {i} (m = {a[i]:R})");
            }
        }

        [TestMethod]
        public void SmoothActivationOps_AreScalarOnly()
        {
            var forward = new SmoothActivations.Op(new ActivationSpec(ActivationKind.Tanh));
            Assert.IsFalse(forward.Vectorized);
            AssertBits((float)Math.Tanh(0.5), forward.Invoke(0.5f), "tanh(0.5)");
            float t = (float)Math.Tanh(0.5);
            AssertBits((float)(2.0 * (1.0 - Math.Tanh(0.5) * Math.Tanh(0.5))), forward.Invoke(0.5f, 2f), $"tanh'(0.5)·2 (tanh = {t:R})");
            var ex = Assert.ThrowsExactly<NotSupportedException>(() => forward.Invoke(Vector<float>.One));
            StringAssert.Contains(ex.Message, "no vector form");
            Assert.ThrowsExactly<NotSupportedException>(() => forward.Invoke(Vector<float>.One, Vector<float>.One));
            // The driver never calls the vector form of a scalar-only operation.
            float[] x = Inputs(3 * Vector<float>.Count + 1, 4), y = new float[x.Length];
            ElementwiseLoop.Map(forward, x, 0, y, 0, x.Length);
            for (int i = 0; i < x.Length; i++) AssertBits(ActivationFormulas.Forward(new ActivationSpec(ActivationKind.Tanh), x[i]), y[i], $"tanh at {i}");
        }
    }
}
