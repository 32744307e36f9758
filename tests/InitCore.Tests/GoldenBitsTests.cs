using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using InitCore.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests
{
    /// <summary>
    /// "Bits unchanged" (issue 14): deterministic CPU runs of the initializers, the layers, the statistics and LSUV,
    /// each output hashed (SHA-256 of its little-endian float32 bytes; doubles as float64 bytes) and compared with a
    /// hash recorded from the code before the refactoring. A refactoring that changes one bit of one output fails here;
    /// the message prints the actual hash of every case that differs, ready to paste if the change is intended.
    /// Each case runs with 1 and with 4 CPU threads and on sizes below and above the parallel threshold, and both
    /// thread counts must give the same recorded hash unless the case's name says otherwise.
    /// The hashes were recorded on an x64 machine with AVX-512 (the net8.0 GEMM and convolution micro-kernels are chosen per
    /// ISA, so their cases are tied to it); the netstandard2.1 build's own GEMM bits are in <see cref="NetStandardHashes"/>.
    /// </summary>
    [TestClass]
    public sealed class GoldenBitsTests
    {
        // Sizes: below the CPU backend's parallel threshold (64K elements), and far above it with an odd length.
        private static readonly int[] Small = { 20, 50 };
        private static readonly int[] Large = { 1001, 999 };
        // Orthogonal's QR costs O(rows·cols²): its large case is as many elements with few rows.
        private static readonly int[] LargeFlat = { 61, 16_411 };
        private static readonly int[] ThreadCounts = { 1, 4 };

        private static int[] LargeFor(string initializer) => initializer.Contains("Orthogonal") ? LargeFlat : Large;

        private static Engine Cpu(int threads) => Engine.Create(new EngineOptions { Backend = BackendKind.Cpu, Seed = 1234, ThreadCount = threads });

        // ---------------------------------------------------------------- hashing

        /// <summary>SHA-256 (lower-case hex) of the little-endian float32 bytes of the arrays, in order.</summary>
        internal static string Hash(params float[][] arrays)
        {
            Assert.IsTrue(BitConverter.IsLittleEndian, "the golden hashes are of little-endian bytes");
            using var sha = SHA256.Create();
            foreach (float[] a in arrays)
            {
                byte[] bytes = MemoryMarshal.AsBytes(a.AsSpan()).ToArray();
                sha.TransformBlock(bytes, 0, bytes.Length, null, 0);
            }
            sha.TransformFinalBlock(Array.Empty<byte>(), 0, 0);
            return Hex(sha.Hash!);
        }

        /// <summary>SHA-256 of the little-endian float64 bytes of scalar results (statistics, LSUV report numbers).</summary>
        internal static string HashDoubles(IEnumerable<double> values)
        {
            Assert.IsTrue(BitConverter.IsLittleEndian, "the golden hashes are of little-endian bytes");
            double[] a = values.ToArray();
            using var sha = SHA256.Create();
            return Hex(sha.ComputeHash(MemoryMarshal.AsBytes(a.AsSpan()).ToArray()));
        }

        private static string Hash(IEnumerable<Tensor> tensors) => Hash(tensors.Select(t => t.ToArray()).ToArray());

        private static string Hex(byte[] hash)
        {
            var sb = new StringBuilder(hash.Length * 2);
            foreach (byte b in hash) sb.Append(b.ToString("x2", CultureInfo.InvariantCulture));
            return sb.ToString();
        }

        /// <summary>
        /// Compares every actual hash with its recorded constant. On any difference (or a case with no constant) it fails
        /// with one line per case: name, expected and actual, and a ready-to-paste <c>["name"] = "hash",</c> line.
        /// </summary>
        /// <param name="complete">False when <paramref name="actual"/> checks only some of the recorded cases.</param>
        private static void AssertGolden(IReadOnlyDictionary<string, string> golden, IEnumerable<(string Name, string Hash)> actual, bool complete = true)
        {
            var wrong = new List<string>();
            var paste = new List<string>();
            var seen = new HashSet<string>();
            foreach ((string name, string hash) in actual)
            {
                seen.Add(name);
                string? expected = null;
#if ENGINE_NETSTANDARD
                NetStandardHashes.TryGetValue(name, out expected);
#endif
                if (expected is null) golden.TryGetValue(name, out expected);
                if (expected != hash)
                {
                    wrong.Add($"{name}: expected {expected ?? "(none recorded)"}, actual {hash}");
                    paste.Add($"            [\"{name}\"] = \"{hash}\",");
                }
            }
            foreach (string name in golden.Keys.Where(k => complete && !seen.Contains(k)))
                wrong.Add($"{name}: recorded but not computed");
            if (wrong.Count > 0)
                Assert.Fail($"{wrong.Count} golden hash(es) differ on the {Build}: the CPU bits changed.{Environment.NewLine}{string.Join(Environment.NewLine, wrong)}"
                    + $"{Environment.NewLine}Actual values, to paste only if the change is intended:{Environment.NewLine}{string.Join(Environment.NewLine, paste)}");
        }

#if ENGINE_NETSTANDARD
        private const string Build = "netstandard2.1 engine (a case that differs from net8.0 goes in NetStandardHashes)";
#else
        private const string Build = "net8.0 engine";
#endif

        /// <summary>Runs <paramref name="run"/> with each thread count; a case whose hash is the same for all counts is reported once under its name, else per count (name@tN).</summary>
        private static IEnumerable<(string, string)> ForThreads(Func<Engine, IEnumerable<(string Name, string Hash)>> run)
        {
            var perThreads = ThreadCounts.Select(t =>
            {
                using Engine e = Cpu(t);
                return run(e).ToList();
            }).ToList();
            for (int i = 0; i < perThreads[0].Count; i++)
            {
                string name = perThreads[0][i].Name;
                if (perThreads.All(p => p[i].Hash == perThreads[0][i].Hash)) yield return (name, perThreads[0][i].Hash);
                else for (int k = 0; k < ThreadCounts.Length; k++) yield return ($"{name}@t{ThreadCounts[k]}", perThreads[k][i].Hash);
            }
        }

        private static Tensor Seeded(Engine e, ulong seed, params int[] shape)
        {
            Tensor t = e.CreateTensor(shape);
            Init.Normal(t, 0.0, 1.0, new Generator(seed));
            return t;
        }

        // ---------------------------------------------------------------- initializers

        private static IEnumerable<(string Name, Action<Tensor> Fill)> Initializers()
        {
            yield return ("Uniform", t => Init.Uniform(t, -0.5, 2.0, new Generator(11)));
            yield return ("Normal", t => Init.Normal(t, 0.25, 3.0, new Generator(12)));
            yield return ("TruncatedNormal", t => Init.TruncatedNormal(t, 0.1, 1.5, -2.0, 2.5, new Generator(13)));
            yield return ("EngineDefaultGenerator.Normal", t => Init.Normal(t));
            foreach (FanMode mode in new[] { FanMode.FanIn, FanMode.FanOut })
            {
                yield return ($"KaimingUniform.{mode}.LeakyRelu(sqrt5)", t => Init.KaimingUniform(t, Math.Sqrt(5.0), mode, Nonlinearity.LeakyRelu, new Generator(14)));
                yield return ($"KaimingNormal.{mode}.Relu", t => Init.KaimingNormal(t, 0.0, mode, Nonlinearity.Relu, new Generator(15)));
            }
            yield return ("KaimingUniform.Tanh", t => Init.KaimingUniform(t, 0.0, FanMode.FanIn, Nonlinearity.Tanh, new Generator(16)));
            yield return ("KaimingNormal.Selu", t => Init.KaimingNormal(t, 0.0, FanMode.FanIn, Nonlinearity.Selu, new Generator(17)));
            yield return ("KaimingUniform.string.leaky_relu", t => Init.KaimingUniform(t, "leaky_relu", 0.2, "fan_out", new Generator(18)));
            yield return ("KaimingNormal.string.sigmoid", t => Init.KaimingNormal(t, "sigmoid", 0.0, "fan_in", new Generator(19)));
            yield return ("XavierUniform", t => Init.XavierUniform(t, 5.0 / 3.0, new Generator(20)));
            yield return ("XavierNormal", t => Init.XavierNormal(t, 1.0, new Generator(21)));
            yield return ("LeCunNormal", t => Init.LeCunNormal(t, new Generator(22)));
            yield return ("LeCunUniform", t => Init.LeCunUniform(t, new Generator(23)));
            yield return ("HeNormal", t => Init.HeNormal(t, new Generator(24)));
            yield return ("HeUniform", t => Init.HeUniform(t, new Generator(25)));
            yield return ("GlorotNormal", t => Init.GlorotNormal(t, new Generator(26)));
            yield return ("GlorotUniform", t => Init.GlorotUniform(t, new Generator(27)));
            yield return ("VarianceScaling.FanAvg.TruncatedNormal", t => Init.VarianceScaling(t, 2.0, FanMode.FanAvg, VarianceDistribution.TruncatedNormal, new Generator(28)));
            yield return ("VarianceScaling.FanIn.UntruncatedNormal", t => Init.VarianceScaling(t, 1.0, FanMode.FanIn, VarianceDistribution.UntruncatedNormal, new Generator(29)));
            yield return ("VarianceScaling.FanOut.Uniform", t => Init.VarianceScaling(t, 0.5, FanMode.FanOut, VarianceDistribution.Uniform, new Generator(30)));
            yield return ("Orthogonal", t => Init.Orthogonal(t, 1.5, new Generator(31)));
            yield return ("Sparse", t => Init.Sparse(t, 0.3, 0.02, new Generator(32)));
            yield return ("PyTorchDefault", t => Init.PyTorchDefault(t, null, new Generator(33)));
            // The MT19937 PyTorch-compatible generator.
            yield return ("Torch.Uniform", t => Init.Uniform(t, -1.0, 1.0, new TorchGenerator(34)));
            yield return ("Torch.Normal", t => Init.Normal(t, 0.0, 2.0, new TorchGenerator(35)));
            yield return ("Torch.TruncatedNormal", t => Init.TruncatedNormal(t, 0.0, 1.0, -2.0, 2.0, new TorchGenerator(36)));
            yield return ("Torch.KaimingUniform", t => Init.KaimingUniform(t, Math.Sqrt(5.0), FanMode.FanIn, Nonlinearity.LeakyRelu, new TorchGenerator(37)));
            yield return ("Torch.XavierNormal", t => Init.XavierNormal(t, 1.0, new TorchGenerator(38)));
            yield return ("Torch.Orthogonal", t => Init.Orthogonal(t, 1.0, new TorchGenerator(39)));
            yield return ("Torch.Sparse", t => Init.Sparse(t, 0.5, 0.01, new TorchGenerator(40)));
        }

        [TestMethod]
        public void Initializers_TensorForm_BitsUnchanged()
        {
            AssertGolden(InitializerHashes, ForThreads(e => Initializers().SelectMany(init => new[] { Small, LargeFor(init.Name) }.Select(shape =>
            {
                using Tensor t = e.CreateTensor(shape);
                init.Fill(t);
                return ($"{init.Name}[{shape[0]}x{shape[1]}]", Hash(t.ToArray()));
            })).ToList()));
        }

        [TestMethod]
        public void Initializers_SpanForm_BitsUnchanged()
        {
            // The span forms fill host memory with the same bits as the tensor forms they share a definition with: same recorded hashes.
            AssertGolden(InitializerHashes, ForThreads(e => new[] { Small, Large, LargeFlat }.SelectMany(shape =>
            {
                int n = shape[0] * shape[1];
                var cases = new List<(string, string)>();
                void Add(string name, Action<float[]> fill)
                {
                    var a = new float[n];
                    fill(a);
                    cases.Add(($"{name}[{shape[0]}x{shape[1]}]", Hash(a)));
                }
                if (shape == LargeFlat) { Add("Orthogonal", a => Init.Orthogonal(e, a, shape, 1.5, new Generator(31))); return cases; }
                Add("Uniform", a => Init.Uniform(e, a, -0.5, 2.0, new Generator(11)));
                Add("Normal", a => Init.Normal(e, a, 0.25, 3.0, new Generator(12)));
                Add("TruncatedNormal", a => Init.TruncatedNormal(e, a, 0.1, 1.5, -2.0, 2.5, new Generator(13)));
                Add("KaimingUniform.FanIn.LeakyRelu(sqrt5)", a => Init.KaimingUniform(e, a, shape, Math.Sqrt(5.0), FanMode.FanIn, Nonlinearity.LeakyRelu, new Generator(14)));
                Add("KaimingNormal.FanOut.Relu", a => Init.KaimingNormal(e, a, shape, 0.0, FanMode.FanOut, Nonlinearity.Relu, new Generator(15)));
                Add("XavierUniform", a => Init.XavierUniform(e, a, shape, 5.0 / 3.0, new Generator(20)));
                Add("XavierNormal", a => Init.XavierNormal(e, a, shape, 1.0, new Generator(21)));
                Add("KaimingUniform.Tanh", a => Init.KaimingUniform(e, a, shape, 0.0, FanMode.FanIn, Nonlinearity.Tanh, new Generator(16)));
                Add("KaimingUniform.string.leaky_relu", a => Init.KaimingUniform(e, a, shape, "leaky_relu", 0.2, "fan_out", new Generator(18)));
                Add("KaimingNormal.string.sigmoid", a => Init.KaimingNormal(e, a, shape, "sigmoid", 0.0, "fan_in", new Generator(19)));
                Add("LeCunNormal", a => Init.LeCunNormal(e, a, shape, new Generator(22)));
                Add("LeCunUniform", a => Init.LeCunUniform(e, a, shape, new Generator(23)));
                Add("HeNormal", a => Init.HeNormal(e, a, shape, new Generator(24)));
                Add("HeUniform", a => Init.HeUniform(e, a, shape, new Generator(25)));
                Add("GlorotNormal", a => Init.GlorotNormal(e, a, shape, new Generator(26)));
                Add("GlorotUniform", a => Init.GlorotUniform(e, a, shape, new Generator(27)));
                Add("VarianceScaling.FanOut.Uniform", a => Init.VarianceScaling(e, a, shape, 0.5, FanMode.FanOut, VarianceDistribution.Uniform, new Generator(30)));
                Add("PyTorchDefault", a => Init.PyTorchDefault(e, a, shape, Span<float>.Empty, new Generator(33)));
                if (shape == Small) Add("Orthogonal", a => Init.Orthogonal(e, a, shape, 1.5, new Generator(31)));
                Add("Sparse", a => Init.Sparse(e, a, shape, 0.3, 0.02, new Generator(32)));
                Add("Torch.Normal", a => Init.Normal(e, a, 0.0, 2.0, new TorchGenerator(35)));
                Add("Torch.KaimingUniform", a => Init.KaimingUniform(e, a, shape, Math.Sqrt(5.0), FanMode.FanIn, Nonlinearity.LeakyRelu, new TorchGenerator(37)));
                return cases;
            }).ToList()), complete: false);
        }

        [TestMethod]
        public void ModelInit_LessonCnn_BitsUnchanged()
        {
            AssertGolden(ModelInitHashes, ForThreads(e =>
            {
                var cases = new List<(string, string)>();
                // The layers' own PyTorch-default initialization (kaiming_uniform(a=√5) weights, uniform(±1/√fan_in) biases).
                Sequential model = LessonModels.Cnn(e, new Generator(50));
                cases.Add(("Cnn.PyTorchDefault(ctor)", Hash(model.Parameters().Select(p => p.Value))));
                model.ResetParameters(new TorchGenerator(51));
                cases.Add(("Cnn.ResetParameters(Torch)", Hash(model.Parameters().Select(p => p.Value))));
                var schemes = new (string Name, InitScheme Weights, InitScheme? Biases)[]
                {
                    ("KaimingNormal+Zeros", InitScheme.KaimingNormal(0.1, FanMode.FanIn, Nonlinearity.LeakyRelu), InitScheme.Zeros),
                    ("KaimingUniform+PyTorchBias", InitScheme.KaimingUniform(), InitScheme.PyTorchDefaultBias),
                    ("XavierNormal+Constant", InitScheme.XavierNormal(2.0), InitScheme.Constant(0.01)),
                    ("XavierUniform", InitScheme.XavierUniform(), null),
                    ("VarianceScaling", InitScheme.VarianceScaling(2.0, FanMode.FanOut, VarianceDistribution.TruncatedNormal), null),
                    ("Normal+Uniform", InitScheme.Normal(0.0, 0.05), InitScheme.Uniform(-0.1, 0.1)),
                    ("TruncatedNormal", InitScheme.TruncatedNormal(0.0, 0.02), null),
                    ("Orthogonal", InitScheme.Orthogonal(1.2), null),
                    ("PyTorchDefault", InitScheme.PyTorchDefaultWeight, InitScheme.PyTorchDefaultBias),
                };
                foreach (var s in schemes)
                {
                    int count = ModelInit.Apply(model, s.Weights, s.Biases, new Generator(52));
                    cases.Add(($"ModelInit.{s.Name}.count={count}", Hash(model.Parameters().Select(p => p.Value))));
                }
                ModelInit.Apply(model, InitScheme.KaimingNormal(), InitScheme.Zeros, new TorchGenerator(53));
                cases.Add(("ModelInit.KaimingNormal.Torch", Hash(model.Parameters().Select(p => p.Value))));
                return cases;
            }));
        }

        // ---------------------------------------------------------------- layers

        /// <summary>Forward, then backward of a seeded output gradient: hashes the output, the input gradient and every parameter gradient.</summary>
        private static (string, string) ForwardBackward(string name, Module m, Tensor x, ulong seed)
        {
            m.ZeroGrad();
            Tensor y = m.Forward(x);
            using Tensor dy = Seeded(m.Engine, seed, y.Shape.ToArray());
            Tensor dx = m.Backward(dy);
            var all = new List<float[]> { y.ToArray(), dx.ToArray() };
            all.AddRange(m.Parameters().Select(p => p.Grad.ToArray()));
            string h = Hash(all.ToArray());
            y.Dispose();
            dx.Dispose();
            return (name, h);
        }

        [TestMethod]
        public void Layers_ForwardBackward_BitsUnchanged()
        {
            AssertGolden(LayerHashes, ForThreads(e =>
            {
                var cases = new List<(string, string)>();
                using (Tensor x = Seeded(e, 60, 512, 256))
                    cases.Add(ForwardBackward("Linear(256,128)[512]", new Linear(e, 256, 128, generator: new Generator(61)), x, 62));
                using (Tensor x = Seeded(e, 63, 16, 8, 32, 32))
                {
                    cases.Add(ForwardBackward("Conv2d(8,16,k3,p1)", new Conv2d(e, 8, 16, 3, 1, 1, generator: new Generator(64)), x, 65));
                    cases.Add(ForwardBackward("Conv2d(8,16,k5,s2,p2)", new Conv2d(e, 8, 16, 5, 2, 2, generator: new Generator(66)), x, 67));
                    var bn = new BatchNorm2d(e, 8);
                    Init.Uniform(bn.Weight.Value, 0.5, 1.5, new Generator(68));
                    Init.Normal(bn.Bias.Value, 0.0, 0.1, new Generator(69));
                    cases.Add(ForwardBackward("BatchNorm2d.train", bn, x, 70));
                    cases.Add(("BatchNorm2d.running", Hash(bn.RunningMean.ToArray(), bn.RunningVar.ToArray())));
                    bn.Eval();
                    using (Tensor y = bn.Forward(x)) cases.Add(("BatchNorm2d.eval.forward", Hash(y.ToArray())));
                    cases.Add(("BatchNorm2d.eval.infer", Hash(bn.Infer(x).ToArray())));
                    cases.Add(ForwardBackward("MaxPool2d(2)", new MaxPool2d(e, 2), x, 72));
                    cases.Add(ForwardBackward("MaxPool2d(3,s2,p1)", new MaxPool2d(e, 3, 2, 1), x, 73));
                    cases.Add(ForwardBackward("AdaptiveAvgPool2d", new AdaptiveAvgPool2d(e), x, 74));
                }
                using (Tensor x = Seeded(e, 75, 300_001))
                {
                    var activations = new (string, Module)[]
                    {
                        ("ReLU", new ReLU(e)), ("LeakyReLU(0.2)", new LeakyReLU(e, 0.2)),
                        ("GeneralReLU(0.1,0.4,6)", new GeneralReLU(e, 0.1, 0.4, 6.0)), ("GeneralReLU(0,0.5)", new GeneralReLU(e, 0.0, 0.5)),
                        ("Tanh", new Tanh(e)), ("Sigmoid", new Sigmoid(e)), ("GELU", new GELU(e)), ("SiLU", new SiLU(e)),
                        ("ELU(0.7)", new ELU(e, 0.7)), ("SELU", new SELU(e)), ("Softplus(2,5)", new Softplus(e, 2.0, 5.0)),
                        ("Dropout(0.3)", new Dropout(e, 0.3, new Generator(76))),
                    };
                    ulong seed = 77;
                    foreach ((string name, Module m) in activations) cases.Add(ForwardBackward(name, m, x, seed++));
                }
                using (Tensor logits = Seeded(e, 90, 4096, 10))
                using (Tensor labels = e.CreateTensor(Enumerable.Range(0, 4096).Select(i => (float)((i * 7 + 3) % 10)).ToArray(), 4096))
                using (Tensor target = Seeded(e, 91, 4096, 10))
                {
                    var ce = new CrossEntropyLoss();
                    double loss = ce.Forward(logits, labels);
                    using Tensor dce = ce.Backward();
                    cases.Add(("CrossEntropyLoss", Hash(new[] { (float)loss, ce.LastCorrect }, dce.ToArray()) + HashDoubles(new[] { loss })));
                    var mse = new MseLoss();
                    double l2 = mse.Forward(logits, target);
                    using Tensor dmse = mse.Backward();
                    cases.Add(("MseLoss", Hash(dmse.ToArray()) + HashDoubles(new[] { l2 })));
                }
                var lin = new Linear(e, 300, 400, generator: new Generator(92));
                var sgd = new Sgd(lin.Parameters(), 0.05, momentum: 0.9, weightDecay: 1e-3);
                using (Tensor x = Seeded(e, 93, 256, 300))
                {
                    for (int step = 0; step < 3; step++)
                    {
                        sgd.ZeroGrad();
                        Tensor y = lin.Forward(x);
                        y.Dispose();
                        using Tensor dy = Seeded(e, 94 + (ulong)step, 256, 400);
                        lin.Backward(dy, needInputGradient: false).Dispose();
                        sgd.Step();
                    }
                }
                cases.Add(("Sgd(momentum,wd)x3", Hash(lin.Parameters().Select(p => p.Value))));
                return cases;
            }));
        }

        // ---------------------------------------------------------------- statistics

        [TestMethod]
        public void Statistics_LargeTensor_BitsUnchanged()
        {
            AssertGolden(StatisticsHashes, ForThreads(e =>
            {
                using Tensor t = Seeded(e, 100, 1_000_003);
                TensorStatistics s = TensorOps.Statistics(t);
                TensorStatistics signed = TensorOps.Statistics(t, new StatisticsOptions { HistogramBins = 64, HistogramMin = -4f, HistogramMax = 4f, HistogramOfAbsoluteValues = false, NearZeroThreshold = 0.1f });
                IEnumerable<double> Numbers(TensorStatistics x) => new[] { x.Count, x.Mean, x.Variance, x.Std, x.Min, x.Max, x.NearZeroCount }.Concat(x.Histogram.Select(h => (double)h));
                return new[]
                {
                    ("Tensor.Mean/Std", HashDoubles(new[] { t.Mean(), t.Std(), t.Std(0) })),
                    ("TensorOps.Statistics(default)", HashDoubles(Numbers(s))),
                    ("TensorOps.Statistics(signed,64 bins)", HashDoubles(Numbers(signed))),
                };
            }));
        }

        // ---------------------------------------------------------------- LSUV and activation statistics

        private static readonly Lazy<InitCore.Data.MnistData> Digits = new Lazy<InitCore.Data.MnistData>(() => InitCore.Data.Mnist.LoadBundled().Normalize());

        [TestMethod]
        public void Lsuv_LessonCnn_BitsUnchanged()
        {
            AssertGolden(LsuvHashes, ForThreads(e =>
            {
                var cases = new List<(string, string)>();
                foreach (LsuvVariant variant in new[] { LsuvVariant.Fastai, LsuvVariant.Paper })
                {
                    Sequential model = LessonModels.Cnn(e, new Generator(110));
                    using Tensor x = Digits.Value.Train.Slice(0, 64).ToTensor(e);
                    LsuvReport report = Lsuv.Run(model, x, new LsuvOptions { Variant = variant, Tolerance = 1e-3, MaxIterations = 20 });
                    cases.Add(($"Lsuv.{variant}.weights", Hash(model.Parameters().Select(p => p.Value))));
                    cases.Add(($"Lsuv.{variant}.report", HashDoubles(report.Layers.SelectMany(l => new[]
                    {
                        l.Iterations, l.MeanBefore, l.StdBefore, l.MeanAfter, l.StdAfter, l.WeightScale, l.BiasShift,
                        l.SubBefore ?? double.NaN, l.SubAfter ?? double.NaN, l.Converged ? 1 : 0,
                    }).Concat(new double[] { report.LayerForwardCalls }))));

                    using var stats = new ActivationStats(model, new ActivationStatsOptions { ActivationGradients = true, WeightGradients = true });
                    using Tensor labels = e.CreateTensor(Digits.Value.Train.Slice(0, 64).Labels.ToArray().Select(l => (float)l).ToArray(), 64);
                    var loss = new CrossEntropyLoss();
                    for (int b = 0; b < 2; b++)
                    {
                        model.ZeroGrad();
                        Tensor y = model.Forward(x);
                        loss.Forward(y, labels);
                        using Tensor dy = loss.Backward();
                        model.Backward(dy, needInputGradient: false).Dispose();
                        y.Dispose();
                    }
                    IEnumerable<double> records = stats.Layers.SelectMany(layer => new[] { StatKind.Activation, StatKind.ActivationGradient, StatKind.WeightGradient }
                        .SelectMany(kind => stats.Records(layer, kind)).SelectMany(r =>
                            new[] { r.Batch, r.Statistics.Count, r.Statistics.Mean, r.Statistics.Std, r.Statistics.Min, r.Statistics.Max, r.Statistics.NearZeroCount }
                                .Concat(r.Statistics.Histogram.Select(h => (double)h))));
                    cases.Add(($"Lsuv.{variant}.ActivationStats", HashDoubles(records)));
                }
                return cases;
            }));
        }

        // ---------------------------------------------------------------- recorded hashes

        private static readonly Dictionary<string, string> InitializerHashes = new Dictionary<string, string>
        {
            ["Uniform[20x50]"] = "801d196cdb643a6ea4acfd60eb45fadb564bef2611e0140e764c4831c7354803",
            ["Uniform[1001x999]"] = "5f2a4db75bdc70919c604e36c74ae5e7ed21fc1df32d70e44647c16df2e0aa18",
            ["Normal[20x50]"] = "a9bb01e0b891f2c3ee3cb92394d39a8d5e57718d3e9752d2dab2c91bd6e86eb0",
            ["Normal[1001x999]"] = "53ae0154f79ff3fb2fc107101d4b676eda08e674a80306f7efab58a9f78ab4bd",
            ["TruncatedNormal[20x50]"] = "8350e559eb764fcece63e1c52b36380e9fffd02d07bc3cd80e5913284547d7eb",
            ["TruncatedNormal[1001x999]"] = "d736cd96541127b3acdebce5fcc183352ff5376f209ebb24fcdb37ae1a462b32",
            ["EngineDefaultGenerator.Normal[20x50]"] = "cc0ae77a452ebc24f06f315b6f99cc9e3dd8177266b70dc885272c64ddab9221",
            ["EngineDefaultGenerator.Normal[1001x999]"] = "64f5fe0daacb51433752ff179d8af7bded8e3abefb39068bdb3dc5d14cb29001",
            ["KaimingUniform.FanIn.LeakyRelu(sqrt5)[20x50]"] = "7cb5a5f8c990c3b73bf649631ec4502706986aecd5db9f7ee887ed4b137a1542",
            ["KaimingUniform.FanIn.LeakyRelu(sqrt5)[1001x999]"] = "64e5575a98e53e04d197f9b8776df8465d84bd64fb309c9d802446f57b62c584",
            ["KaimingNormal.FanIn.Relu[20x50]"] = "3b92b1a4fff48ae29bec0b076cd6cfb3e9480b074af88cbb79724aea23d0452f",
            ["KaimingNormal.FanIn.Relu[1001x999]"] = "fdd51397e73a87d64ee65d636879710662ba83c2de2f8b92b57c047f462d0ec6",
            ["KaimingUniform.FanOut.LeakyRelu(sqrt5)[20x50]"] = "0565bd134db2dff9724ed82b6341fd6d57d0927772bd2eaeb76245e7f8988334",
            ["KaimingUniform.FanOut.LeakyRelu(sqrt5)[1001x999]"] = "367852166c5742ac8500e5257e69a8c453acd8d2a101edf16e9507e1db966140",
            ["KaimingNormal.FanOut.Relu[20x50]"] = "2634b9e714b047ac1b1256ca14c14fb3e7791cb60af72a2cadad32502eae2d58",
            ["KaimingNormal.FanOut.Relu[1001x999]"] = "51a51547bbbd8e5c26a618db386b131aa66b2686255979f34cd33519f72d0a83",
            ["KaimingUniform.Tanh[20x50]"] = "5fec9102f80e50a51719f765fde9c6d6bd36352babfa0fd682585bebc42f93ca",
            ["KaimingUniform.Tanh[1001x999]"] = "5518d198571946c2719d0c751be80538375a9de5ba99e3de0894b1143ccebe4c",
            ["KaimingNormal.Selu[20x50]"] = "b3e89ca74572a5ba0444b8cc70c707dd5ddcbe98b81fc3a82c2a0145b00c5ade",
            ["KaimingNormal.Selu[1001x999]"] = "971c1e6ea9c74bf7c459db96fa3848107fe2a5a01afaefd292147011dd6352c0",
            ["KaimingUniform.string.leaky_relu[20x50]"] = "d847fb2e45252e253aa7af2b74eac9b187c68d994b6706706aa205325450b768",
            ["KaimingUniform.string.leaky_relu[1001x999]"] = "c22e48156d27257b57d0f219b69f3a134b1bfbe8f4f550fe3f6b15a6316e8b23",
            ["KaimingNormal.string.sigmoid[20x50]"] = "2526eb5589108e597ab4fd68f0c1cdcf86c46068a11d2ad07b1853ffca0104a3",
            ["KaimingNormal.string.sigmoid[1001x999]"] = "7846138a447cf93d3e5b8a6dfc5acf281c5b9b6244ff83d3ebd57222bc6f37e1",
            ["XavierUniform[20x50]"] = "41ce43300134c78b2dafef129f9a9a6871c30b3e5f287b610bee93ba01effc1d",
            ["XavierUniform[1001x999]"] = "323cb9fe10931ddbc09050496d87eff7a19322f1c5aa926b2f1fc816dc50d12b",
            ["XavierNormal[20x50]"] = "981b2f526f1829ddf3b914c16acaf2cad8aeceb55b549404e92617d105d64b51",
            ["XavierNormal[1001x999]"] = "5e38ffae9146dc43ad20c091be8839d19f090cdf5d1db86e066ff13a9d5aaf11",
            ["LeCunNormal[20x50]"] = "6704b2f0b2a77d3bab01b7190402e4efc90feb96da9a93a9df4e2cd0a6d9ea8b",
            ["LeCunNormal[1001x999]"] = "0754e953e08e643840fbb197234c358b5bd8fb0c37974811f0f1068fd21a92a3",
            ["LeCunUniform[20x50]"] = "a2317dec5fbd72756167b5a28aae4cc29b470666f69ff4c2d06e227454686573",
            ["LeCunUniform[1001x999]"] = "f5656e7b85825070fa9625b102c847aa9326d2f1c6afbf38ed3e0b57f9d08b31",
            ["HeNormal[20x50]"] = "d6895d653c33583bab295bba63c8bb45b54d5530bc96353f3ecba7463f9c1c33",
            ["HeNormal[1001x999]"] = "16deda462f80c7e4166e4c29e1bde46af7f4dac189c558d51f2d28fbd25bd49c",
            ["HeUniform[20x50]"] = "0bff4cbf62154650b9deee17daef906526c30ea02cbbf14217f13690dc97c4a0",
            ["HeUniform[1001x999]"] = "478cd994ff33d5dc0ac3b4306a57bf4eb735bea5289c00d3ad40575daffb619d",
            ["GlorotNormal[20x50]"] = "47d606867f45e2754a3a9e8a4d13a1667403b0f6b2b1382835f757f116565062",
            ["GlorotNormal[1001x999]"] = "d2b1f74f462a2b20a819b3758b90c8c129e2dfa260bbbed657ad8723e9e6b012",
            ["GlorotUniform[20x50]"] = "4398628211acf42b0754639c3f5a997164f2e41015dd7df875083300c01d6fb3",
            ["GlorotUniform[1001x999]"] = "8868db03bcf82d297b0e325fcb07f7303667132effd730bfcf81ad0d0e99de32",
            ["VarianceScaling.FanAvg.TruncatedNormal[20x50]"] = "be5287d7cb21a75d9c36b7324db0f8f10f1de55e525d0a57a035dde048b6be17",
            ["VarianceScaling.FanAvg.TruncatedNormal[1001x999]"] = "e384c1caa9491754d2abd586394dbe5192558c7428a9d8fccac08a6a2759e799",
            ["VarianceScaling.FanIn.UntruncatedNormal[20x50]"] = "0abf97b88cc33dd88acf18923c21a2bc6b0ad942551d3da8e16481ed681750a3",
            ["VarianceScaling.FanIn.UntruncatedNormal[1001x999]"] = "96f2b1c5a1f1a007803babcf65c851c524c60d9f75039e97e49e1cdf6b6266e1",
            ["VarianceScaling.FanOut.Uniform[20x50]"] = "4199fc2415e355a201ef7851446079407721bbad8475b9a6f6f08320395ad6b5",
            ["VarianceScaling.FanOut.Uniform[1001x999]"] = "063a4fe24edf54e5b76fa0de76227f8d44b65dbfc4e229889c1ed88ad94e3b75",
            ["Orthogonal[20x50]"] = "af9bcbca397c91040954c4d61dd12218a51e2033f8df69e958ea6c37af077d53",
            ["Orthogonal[61x16411]"] = "e9d9ffa9f51ff695e022715dae4e3dd85c34d81c45a833170b4b9199af23eee0",
            ["Sparse[20x50]"] = "92780730f073e2543ff31bed867a6b39bc78220aba9ec7488dff1dbd7afc1d98",
            ["Sparse[1001x999]"] = "b263a73b501b7cc7c8bdd8fc60ef755dee56c21b02d5ea592856224a063afd03",
            ["PyTorchDefault[20x50]"] = "92978c0e3225df35ab5f85b0ca07f66f51e9935be7deab57619586e087450636",
            ["PyTorchDefault[1001x999]"] = "add3b15630a5bfaa871d07586e64f4e3306ec343962e78a4a5ace6889735aaee",
            ["Torch.Uniform[20x50]"] = "bbd72da170cfef27fd092e6984b662cad7cfcb844bb19799dd33f5e31550c7e6",
            ["Torch.Uniform[1001x999]"] = "1dcf78c9b109878a0219d1dfd1aa8b4415af6fabdd3b6ca3ef936d88540e108b",
            ["Torch.Normal[20x50]"] = "5d4b26f01ea357d4162182928e59a4f6cfd37d0325fd08c84f8a0efcece86c18",
            ["Torch.Normal[1001x999]"] = "e7604e5a40dc432b342d3aeb48a6583e095cbd5e78acdabd630cc1828d561fa5",
            ["Torch.TruncatedNormal[20x50]"] = "236299f4cb9b6a44f6387933b0de7863238b5742fcb0da0ef77dfbd56234bd4d",
            ["Torch.TruncatedNormal[1001x999]"] = "430628de518b6080197a1e2d17479a88fd3eb431bbc78be601f38949dbd4165a",
            ["Torch.KaimingUniform[20x50]"] = "4548084eb061050578b62c90c28ebb74dd8bd88d3e679ee1e36ab1b3110754a1",
            ["Torch.KaimingUniform[1001x999]"] = "0ff6c6ec9c00c135df0f662b089cb47402e1cfe83691a7f1576904589213a00e",
            ["Torch.XavierNormal[20x50]"] = "5bd1bb31ca0e0e47a6e0536eec157a8d5ab996735e6ba247d21996178dac4e97",
            ["Torch.XavierNormal[1001x999]"] = "5897727990a2af909a395e25ae8c1f5d7dde9929004c9d22fce841d3b9f911c8",
            ["Torch.Orthogonal[20x50]"] = "3ca8fa373505fccb019fecbad7d3c5d9776935e865ddbb69e4e03fc68ca156e1",
            ["Torch.Orthogonal[61x16411]"] = "0786a4d7d39436d90fada29a344dcc5f9f28e1407c381a8b3d1f8ebb3041beee",
            ["Torch.Sparse[20x50]"] = "9e80680f599b4a8684e66ab6d6c0259482b9b0702a22dc55d5f3060a3d69c91b",
            ["Torch.Sparse[1001x999]"] = "f9ad23422468d37f679378ecfca1affbfd3f0206d0aa4b08b755b36719baaebd",
        };

        private static readonly Dictionary<string, string> ModelInitHashes = new Dictionary<string, string>
        {
            ["Cnn.PyTorchDefault(ctor)"] = "3a79f94cdec0a63edcfe065c0d2ab6d0f94e0d39f91f080b58f10535bd85b19c",
            ["Cnn.ResetParameters(Torch)"] = "2382282a9c0d7df6137a0bf80195029ddbf8059a3fee83f911a09d4e8f5ff0d9",
            ["ModelInit.KaimingNormal+Zeros.count=12"] = "e898caa4da324ff29ecc9a3579aa05c0982add391f5e2658b77ad6928403ba78",
            ["ModelInit.KaimingUniform+PyTorchBias.count=12"] = "b277ce2d1b54564f67224fcc7328cc852458b3dd01326c52a08fce0cdbfcddf9",
            ["ModelInit.XavierNormal+Constant.count=12"] = "2c8340772bd65cfb0db0fd83bb8d584913f87de06145330c769368d74caa3cee",
            ["ModelInit.XavierUniform.count=6"] = "f28ad518455ccb4816891393ccf9aec50a76687e02a72866b9ac4814222cb00a",
            ["ModelInit.VarianceScaling.count=6"] = "29e04003316dd2dc151eed100937fb031cad73c5eac2d9fa73e2fefc3407a03f",
            ["ModelInit.Normal+Uniform.count=12"] = "18aecef36802ac15bd38a52e37af87a85c633217ee951ff83ff23aeb0d7db66a",
            ["ModelInit.TruncatedNormal.count=6"] = "f254871cf27d9f0dc76aa2fe9df7e266cef6b3e128c5d4d4e3fbcc1e279c1c83",
            ["ModelInit.Orthogonal.count=6"] = "a7f49244516069ed959e42db6c80a3f18ea1e493ae617af4df1d42bc1645580d",
            ["ModelInit.PyTorchDefault.count=12"] = "318fb06fdcc846a3d67a326e2dddbc9ac09fabbfc304ab7579595aa6f18e86cd",
            ["ModelInit.KaimingNormal.Torch"] = "d0477ca88fc16f96a5326d0562c07c5eb327c0544ed34ef1eede4e8d75af4ee8",
        };

        private static readonly Dictionary<string, string> LayerHashes = new Dictionary<string, string>
        {
            ["Linear(256,128)[512]"] = "45d8da7ffd8dc01440e4c57f392890c594476fb34d7b216d542a2ab1aeb59c4a",
            ["Conv2d(8,16,k3,p1)"] = "f395da5bdac871381ba77480e5e29c4914134bd16324c3bb36670478bfbe14c9",
            ["Conv2d(8,16,k5,s2,p2)"] = "deee281d2d7c07799ea5c51dccf385c04897f39d1ff7ac999b5ae1db02c01a1e",
            ["BatchNorm2d.train"] = "5aa33d1e1fc420d89934611bae20ebe7d902833bfeb5ee7b8f953285ce86c450",
            ["BatchNorm2d.running"] = "9c5e9779238da4178dc46dec0a67c19e6f028aaa5d6d9edba3323f9800d86c3c",
            ["BatchNorm2d.eval.forward"] = "8b70268d2a757f4737fc0f3f1cdd2bc6cdbcf3681b7a2625d252e575164e5eee",
            ["BatchNorm2d.eval.infer"] = "8b70268d2a757f4737fc0f3f1cdd2bc6cdbcf3681b7a2625d252e575164e5eee",
            ["MaxPool2d(2)"] = "e036be785dae0e737340f1af1045de9a4ed655f9f1763f90559faa510d04a9af",
            ["MaxPool2d(3,s2,p1)"] = "96a3ef5a0e499061d97e5ca708ec814eea04738f29e78e30670f2db42e9e7383",
            ["AdaptiveAvgPool2d"] = "99fb68dcdcb49c1df625e6538b5ed0c574dc57f62bdde02b13da787f0874bff9",
            ["ReLU"] = "680df4653d4412890d7b3d573588a00282dad41d66f272eb49090502ae52edf8",
            ["LeakyReLU(0.2)"] = "baf8034ca60258dd16080fabf9bae8b2659f77d153156401f7c8028da629aa59",
            ["GeneralReLU(0.1,0.4,6)"] = "9ee98ce8563aa0e3b6c5e466992ae9f76a931695bd347a244c067d6da4f60c07",
            ["GeneralReLU(0,0.5)"] = "ebedf6d284b08defda0a210c31ac1adb0c166396b732629e03ed68b031949923",
            ["Tanh"] = "b59f8c55bbb9b73ea3bf295fae37d155f7bc42a4be68b5245b70d2ab417841de",
            ["Sigmoid"] = "f0b71d24a7865d2b19c0a3c6aa0d37c7139b83d72ca7e8ac4c6f309f61f8d553",
            ["GELU"] = "f2e367653a014b28bde33ad800f25f008c4cf72b8aa57a0c6846fffbbd1575fb",
            ["SiLU"] = "cd45d9b80f4325ae4db8bb549e28714576596598c023e835b48ee279d35580c3",
            ["ELU(0.7)"] = "26593056a9b200bbe83bff5ff235feaedab99b6b64b6f1cfc976b30d06a05572",
            ["SELU"] = "2f62c4894cb0b76f66346ec510897df839af1f25635c66ba6dd3e379a57a31db",
            ["Softplus(2,5)"] = "cbaf11568e8c1ae4516623bf28d2811a59dcb1f8b4989069e42da418161919ee",
            ["Dropout(0.3)"] = "14414b986031f7e621a881dfc45f46c38dc848cd36e8bb480695544dcf1f7ab4",
            ["CrossEntropyLoss"] = "36d8ecd37056d5d4d31bfd4cb40c8178a7faaf231b2f21852d199bd5f38fc451a34d4a6183259b7ff43df2e644e0ff9a05f0813a1e9ad251792b08e6e0233ca9",
            ["MseLoss"] = "e71437374c597b15e1bc623653b6acd6514bf5a934f39fca022d363d07e74a45c33c453465c782dfb0308ac0ba1144b85a92608eaf7c610ec467be74f5e5775c",
            ["Sgd(momentum,wd)x3"] = "4625b1d01dfaf6bf4617c8d8a607e9cf2f78b83cbc441ac9338a310d23a1abd7",
        };

        private static readonly Dictionary<string, string> StatisticsHashes = new Dictionary<string, string>
        {
            ["Tensor.Mean/Std"] = "1981d2dd1cba83d694a676d3cedfa54847c3b15c910713cafd0619cde8fcf6c2",
            ["TensorOps.Statistics(default)"] = "3b463a91c3b40e00ff5e81275746c69ff4078580bdb9d163731d7de4958e6123",
            ["TensorOps.Statistics(signed,64 bins)"] = "89d66adc2064f789cca4ec9e3767285ca1859d3a8438165873380cb9f259cf56",
        };

        /// <summary>
        /// The netstandard2.1 build (Unity) has no hardware-intrinsic GEMM and convolution micro-kernels (they are
        /// <c>#if NET8_0_OR_GREATER</c>), so what goes through a matrix product has its own bits there; these replace the
        /// cases above in the NetStandard test project. Everything else is the same on both builds.
        /// </summary>
        private static readonly Dictionary<string, string> NetStandardHashes = new Dictionary<string, string>
        {
            ["Linear(256,128)[512]"] = "39a5d01081c0ecfbe53c899c533fb457d905bcd59ac34269a7b9be1cb9d6c14c",
            ["Conv2d(8,16,k3,p1)"] = "29eb570b606db2784c6bf067cde97b338eeabf68d6a92d3aef4f05d9ff8cb1cf",
            ["Conv2d(8,16,k5,s2,p2)"] = "7a594b5abda8ebddd4713834c20ac9f62c5203bcd9fb177e2b1cd2113c511b8f",
            ["Sgd(momentum,wd)x3"] = "8dfdf77d44eb37c006f758bb8912241c9b88322525fc14c9b2b4c9ab91b7e1ba",
            ["Lsuv.Fastai.weights"] = "ce3d2dcefb8149294f20749198b469dfd7993da7f410f80f8da8089e9d9f868c",
            ["Lsuv.Fastai.report"] = "a1b55d56f40dc85f3dccb5a13849ab75a1f9e2c05929b6dfe0cd43024d724e4a",
            ["Lsuv.Fastai.ActivationStats"] = "1b11425f403bad15cb4846c2fc5e94c78db6e2143c2fa663ee2df6eb08c0cff9",
            ["Lsuv.Paper.weights"] = "b6fa675474904e29887a926281d9a7f554a966f9f7c80fdd3d496f8b8f8b6842",
            ["Lsuv.Paper.report"] = "95157463254c2f8d6d39508c65fc23ca4868a19c28df0a670cac4e4c1bcc829f",
            ["Lsuv.Paper.ActivationStats"] = "5282ddb97e74887807f61c526cfdaf5d665fbec13e3bdf8e1c330733d7053f6b",
        };

        private static readonly Dictionary<string, string> LsuvHashes = new Dictionary<string, string>
        {
            ["Lsuv.Fastai.weights"] = "fd1aac6c08a8712779f6b1e3d2dc3af59175ba6993ff970e86a093e59591ce81",
            ["Lsuv.Fastai.report"] = "5b33d0d7a26ca3d3ed7e5fd5626129cefb09ea32f968c210f2f248e8d4173f63",
            ["Lsuv.Fastai.ActivationStats"] = "02a178ed0ee8c88c75ec550bfff490bfc8af8e811b75523ba7d3234d4b18d223",
            ["Lsuv.Paper.weights"] = "be37bd259d8138506b7887d2701ffe720f97d9ae2fd9248b1571ee5878015fbf",
            ["Lsuv.Paper.report"] = "2db74a8b6b30867afb3b24e19ebaa65aa89c6182a4d35ecbc7a98de369ef7678",
            ["Lsuv.Paper.ActivationStats"] = "2d9fdc259a104ef403ae5bb8a8a9ce434a3f934de533501b63f77c5e4d8db56b",
        };
    }
}
