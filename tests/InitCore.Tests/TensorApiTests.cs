using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests
{
    /// <summary>Tensor.Mean, Tensor.Std (torch's correction = 1) and Tensor.ToString against torch's repr.</summary>
    [TestClass]
    public sealed class TensorApiTests
    {
        private static Engine Cpu() => Engine.Create(new EngineOptions { Backend = BackendKind.Cpu, Seed = 1 });

        [TestMethod]
        public void MeanAndStd_MatchTorch()
        {
            using Engine e = Cpu();
            using Tensor x = e.CreateTensor(new[] { 1f, 2f, 3f, 4f }, 2, 2);
            // torch: x.mean() = 2.5, x.std() = 1.2910 (correction=1), x.std(correction=0) = 1.1180
            Assert.AreEqual(2.5, x.Mean());
            Assert.AreEqual(Math.Sqrt(5.0 / 3.0), x.Std(), 1e-15);
            Assert.AreEqual(Math.Sqrt(5.0 / 4.0), x.Std(correction: 0), 1e-15);
            using Tensor one = e.CreateTensor(new[] { 3f }, 1);
            Assert.AreEqual(3.0, one.Mean());
            Assert.IsTrue(double.IsNaN(one.Std()), "torch.tensor([3.]).std() is nan");
            Assert.AreEqual(0.0, one.Std(0));
            using Tensor empty = e.CreateTensor(0, 3);
            Assert.IsTrue(double.IsNaN(empty.Mean()), "torch.empty(0, 3).mean() is nan");
            Assert.IsTrue(double.IsNaN(empty.Std()));
        }

        [TestMethod]
        public void MeanAndStd_OnAMillionValues_MatchADoubleReferenceToFloatPrecision()
        {
            using Engine e = Engine.Create(new EngineOptions { Backend = BackendKind.Cpu, Seed = 1, ThreadCount = 4 });
            var rng = new Random(3);
            float[] data = Enumerable.Range(0, 1 << 20).Select(_ => (float)(rng.NextDouble() * 4 + 10)).ToArray();
            using Tensor x = e.CreateTensor(data, 1024, 1024);
            double mean = data.Average(v => (double)v);
            double ss = data.Sum(v => (v - mean) * (v - mean));
            // float32 sums per chunk, merged in double: within 1e-7 relative, torch's own float32 result's precision.
            double std = Math.Sqrt(ss / (data.Length - 1)), population = Math.Sqrt(ss / data.Length);
            Assert.AreEqual(mean, x.Mean(), 1e-7 * Math.Abs(mean));
            Assert.AreEqual(std, x.Std(), 1e-6 * std);
            Assert.AreEqual(population, x.Std(0), 1e-6 * population);
            Assert.AreNotEqual(x.Std(), x.Std(0), "the correction matters");
        }

        [TestMethod]
        public void Std_BadCorrection_ThrowsNamingIt()
        {
            using Engine e = Cpu();
            using Tensor x = e.CreateTensor(new[] { 1f, 2f }, 2);
            foreach (double c in new[] { -1.0, double.NaN, double.PositiveInfinity })
            {
                var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => x.Std(c));
                Assert.AreEqual("correction", ex.ParamName);
                StringAssert.Contains(ex.Message, "correction must be a finite number ≥ 0");
            }
        }

        [TestMethod]
        public void MeanAndStd_OnDisposed_ThrowObjectDisposed()
        {
            using Engine e = Cpu();
            Tensor x = e.CreateTensor(2);
            x.Dispose();
            Assert.ThrowsExactly<ObjectDisposedException>(() => x.Mean());
            Assert.ThrowsExactly<ObjectDisposedException>(() => x.Std());
            StringAssert.Contains(x.ToString(), "<disposed>");
        }

        /// <summary>The cases of tools/torch_repr.py, built with the same float32 operations.</summary>
        private static Tensor Case(Engine e, string name)
        {
            float[] Range(int n, Func<int, float> f) => Enumerable.Range(0, n).Select(f).ToArray();
            switch (name)
            {
                case "Small2d": return e.CreateTensor(new[] { 0.1f, 0.2f, 0.3f, 0.4f }, 2, 2);
                case "Summarized2d": return e.CreateTensor(Range(2000, i => i / 7f), 40, 50);
                case "Integers": return e.CreateTensor(new[] { 1f, 2f, 3f }, 3);
                case "Scientific": return e.CreateTensor(new[] { 1e-5f, 1f }, 2);
                case "Scalar": return e.CreateTensor(new[] { 0.5f });
                case "Empty2d": return e.CreateTensor(0, 3);
                case "Empty1d": return e.CreateTensor(0);
                case "NonFinite": return e.CreateTensor(new[] { float.NaN, 1.5f, float.PositiveInfinity, float.NegativeInfinity }, 4);
                case "Wrapped": return e.CreateTensor(Range(30, i => (i - 15f) / 8f), 30);
                case "Large": return e.CreateTensor(new[] { 1e9f, 2f }, 2);
                case "Zeros": return e.CreateTensor(2, 3);
                case "Rank3": return e.CreateTensor(Range(24, i => i - 10f), 2, 3, 4);
                case "Summarized1d": return e.CreateTensor(Range(1001, i => i / 3f), 1001);
                case "Summarized3d": return e.CreateTensor(Range(8 * 8 * 20, i => i * 0.25f), 8, 8, 20);
                default: throw new ArgumentException($"Unknown case {name}; add it here and in tools/torch_repr.py.", nameof(name));
            }
        }

        private static Dictionary<string, string> TorchReprs()
        {
            var cases = new Dictionary<string, string>();
            string? name = null;
            var text = new List<string>();
            foreach (string line in File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", "torch", "repr.txt")).Append("==== end"))
            {
                if (line.StartsWith("#", StringComparison.Ordinal)) continue;
                if (line.StartsWith("==== ", StringComparison.Ordinal))
                {
                    if (name is not null) cases[name] = string.Join("\n", text);
                    name = line.Substring(5);
                    text.Clear();
                }
                else text.Add(line);
            }
            return cases;
        }

        [TestMethod]
        public void ToString_PrintsAsTorchRepr()
        {
            using Engine e = Cpu();
            Dictionary<string, string> torch = TorchReprs();
            Assert.AreEqual(14, torch.Count, "cases in Fixtures/torch/repr.txt");
            foreach (var kv in torch)
            {
                using Tensor t = Case(e, kv.Key);
                Assert.AreEqual(kv.Value, t.ToString(), $"case {kv.Key}");
            }
        }
    }
}
