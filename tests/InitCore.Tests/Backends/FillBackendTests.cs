using System;
using System.Linq;
using InitCore.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Backends
{
    /// <summary>
    /// Philox fills on a backend against the documented element mapping computed one element at a time.
    /// Tolerances (docs/cuda.md): every fill is bit-identical (0 ulp): the kernels are built with
    /// -fmad=false and IEEE division and square root, and perform the CPU's operations in its order.
    /// </summary>
    public abstract class FillBackendTests : BackendFixture
    {
        internal const int NormalUlpBound = 0;

        public static System.Collections.Generic.IEnumerable<object[]> Cases =>
            from kind in new[] { "uniform", "normal", "trunc_normal" }
            from n in new[] { 1, 3, 4, 5, 131, 1000, (1 << 20) + 3 }
            select new object[] { kind, n };

        private static FillSpec Spec(string kind) => kind switch
        {
            "uniform" => FillSpec.Uniform(-1, 3),
            "normal" => FillSpec.Normal(0.5, 2),
            _ => FillSpec.TruncatedNormal(0.1, 1.5, -1, 2.5),
        };

        [TestMethod]
        [DynamicData(nameof(Cases))]
        public void Fill_MatchesElementMapping(string kind, int n)
        {
            using Engine engine = NewEngine();
            using Tensor t = engine.CreateTensor(n);
            var g = new Generator(0xC0FFEE, 9) { Offset = 12345 };
            FillSpec spec = Spec(kind);
            engine.Main.Fill(t.Storage, spec, g.Take(n));
            Assert.AreEqual(12345UL + (ulong)((n + 3) / 4), g.Offset, "the generator advances by the blocks used");
            float[] actual = t.ToArray();
            int bound = kind == "uniform" ? 0 : NormalUlpBound;
            int worst = 0;
            for (int i = 0; i < n; i++)
            {
                float expected = ScalarSpec.Element(spec, 0xC0FFEE, 9, 12345, i);
                int ulp = ScalarSpec.UlpDistance(expected, actual[i]);
                if (ulp > bound) Assert.Fail($"{kind}, n={n}, element {i}: expected {expected:R}, got {actual[i]:R} ({ulp} ulp, bound {bound})");
                worst = Math.Max(worst, ulp);
            }
        }

        [TestMethod]
        public void FillBatched_EqualsSequentialFills()
        {
            int[] sizes = { 7, 0, 1000, 4096, 33 };
            using Engine engine = NewEngine();
            var tensors = sizes.Select(s => engine.CreateTensor(s)).ToArray();
            var specs = new[] { FillSpec.Uniform(-2, 2), FillSpec.Normal(0, 1), FillSpec.Normal(1, 0.1), FillSpec.TruncatedNormal(0, 1, -2, 2), FillSpec.Uniform(0, 1) };
            var g = new Generator(42);
            engine.Main.FillBatched(tensors.Select(t => t.Storage).ToArray(), specs, tensors.Select(t => g.Take(t.Length)).ToArray());
            using Engine cpu = CpuEngine();
            var g2 = new Generator(42);
            for (int i = 0; i < sizes.Length; i++)
            {
                var expected = new float[sizes[i]];
                g2.FillHost(expected, specs[i], cpu.ThreadCount);
                float[] actual = tensors[i].ToArray();
                for (int j = 0; j < expected.Length; j++)
                    Assert.IsLessThanOrEqualTo(specs[i].Kind == FillKind.Uniform ? 0 : NormalUlpBound, ScalarSpec.UlpDistance(expected[j], actual[j]), $"tensor {i}, element {j}");
            }
            Assert.AreEqual(g2.Offset, g.Offset);
            foreach (Tensor t in tensors) t.Dispose();
        }

        [TestMethod]
        public void FillConstant_SetsEveryElement()
        {
            using Engine engine = NewEngine();
            using Tensor t = engine.CreateTensor(3, 1001);
            Init.Constant(t, -2.5);
            Assert.IsTrue(t.ToArray().All(v => v == -2.5f));
        }

        [TestMethod]
        public void Initializers_OnBackendTensor_EqualHostSpanResults()
        {
            using Engine engine = NewEngine();
            int[] shape = { 16, 8, 3, 3 };
            int n = 16 * 8 * 9;
            void Check(string name, Action<Tensor, Generator> onTensor, Action<float[], Generator> onSpan)
            {
                using Tensor t = engine.CreateTensor(shape);
                onTensor(t, new Generator(5));
                var host = new float[n];
                onSpan(host, new Generator(5));
                float[] actual = t.ToArray();
                for (int i = 0; i < n; i++)
                    Assert.IsLessThanOrEqualTo(NormalUlpBound, ScalarSpec.UlpDistance(host[i], actual[i]), $"{name}: element {i}");
            }
            Check("kaiming_normal", (t, g) => Init.KaimingNormal(t, generator: g), (h, g) => Init.KaimingNormal(engine, h, shape, generator: g));
            Check("kaiming_uniform", (t, g) => Init.KaimingUniform(t, generator: g), (h, g) => Init.KaimingUniform(engine, h, shape, generator: g));
            Check("xavier_normal", (t, g) => Init.XavierNormal(t, generator: g), (h, g) => Init.XavierNormal(engine, h, shape, generator: g));
            Check("variance_scaling", (t, g) => Init.VarianceScaling(t, generator: g), (h, g) => Init.VarianceScaling(engine, h, shape, generator: g));
            Check("orthogonal", (t, g) => Init.Orthogonal(t, generator: g), (h, g) => Init.Orthogonal(engine, h, shape, generator: g));
            Check("dirac", (t, g) => Init.Dirac(t, 2), (h, g) => Init.Dirac(engine, h, shape, 2));
            Check("he_normal", (t, g) => Init.HeNormal(t, g), (h, g) => Init.HeNormal(engine, h, shape, g));
            Check("glorot_uniform", (t, g) => Init.GlorotUniform(t, g), (h, g) => Init.GlorotUniform(engine, h, shape, g));
            Check("lecun_normal", (t, g) => Init.LeCunNormal(t, g), (h, g) => Init.LeCunNormal(engine, h, shape, g));
        }

        /// <summary>
        /// ModelInit on this backend (a Philox batch: one launch on CUDA; any other source: host draws uploaded) writes
        /// the bits of the span forms on the host, parameter by parameter, and advances the generator alike.
        /// </summary>
        [TestMethod]
        [DataRow("philox")]
        [DataRow("torch")]
        public void ModelInit_EqualsTheSpanFormsOnTheHost(string generatorKind)
        {
            RandomSource NewGenerator() => generatorKind == "philox" ? new Generator(77, 2) { Offset = 3 } : new TorchGenerator(77);
            using Engine engine = NewEngine();
            var model = new Sequential(engine, new Conv2d(engine, 1, 8, 5, 2, 2), new ReLU(engine),
                new Conv2d(engine, 8, 16, 3, 2, 1, groups: 2), new Flatten(engine), new Linear(engine, 16, 10));
            RandomSource onDevice = NewGenerator();
            int count = ModelInit.Apply(model, InitScheme.VarianceScaling(2.0), InitScheme.PyTorchDefaultBias, onDevice);
            Assert.AreEqual(6, count);

            using Engine cpu = CpuEngine();
            RandomSource onHost = NewGenerator();
            var parameters = model.NamedParameters().ToArray();
            for (int i = 0; i < parameters.Length; i += 2)
            {
                Tensor weight = parameters[i].Parameter.Value, bias = parameters[i + 1].Parameter.Value;
                var w = new float[weight.Length];
                var b = new float[bias.Length];
                Init.VarianceScaling(cpu, w, weight.Shape.ToArray(), 2.0, generator: onHost);
                double bound = 1.0 / Math.Sqrt(Fans.FromShape(weight.Shape.ToArray()).FanIn);
                Init.Uniform(cpu, b, -bound, bound, onHost);
                CollectionAssert.AreEqual(w, weight.ToArray(), parameters[i].Name);
                CollectionAssert.AreEqual(b, bias.ToArray(), parameters[i + 1].Name);
                Assert.IsTrue(w.Any(v => v != 0) && b.Any(v => v != 0), "the draws are not all zero");
            }
            var next = new float[16];
            var expectedNext = new float[16];
            Init.Normal(cpu, next, generator: onDevice);
            Init.Normal(cpu, expectedNext, generator: onHost);
            CollectionAssert.AreEqual(expectedNext, next, "the generator advanced as much as the host forms advanced theirs");
        }
    }

    [TestClass]
    public sealed class CpuFillBackendTests : FillBackendTests
    {
        protected override BackendKind Kind => BackendKind.Cpu;
    }

    [TestClass]
    public sealed class CudaFillBackendTests : FillBackendTests
    {
        protected override BackendKind Kind => BackendKind.Cuda;
    }
}
