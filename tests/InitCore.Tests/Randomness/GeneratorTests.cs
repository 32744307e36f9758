using System;
using System.Linq;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests
{
    [TestClass]
    public sealed class GeneratorTests
    {
        public static System.Collections.Generic.IEnumerable<object[]> Kinds =>
            new[] { new object[] { "uniform" }, new object[] { "normal" }, new object[] { "trunc_normal" } };

        private static void Draw(string kind, Engine engine, float[] data, Generator? g)
        {
            switch (kind)
            {
                case "uniform": Init.Uniform(engine, data, -1, 3, g); break;
                case "normal": Init.Normal(engine, data, 0.5, 2, g); break;
                default: Init.TruncatedNormal(engine, data, 0.1, 1.5, -1, 2.5, g); break;
            }
        }

        private static FillSpec Spec(string kind) => kind switch
        {
            "uniform" => FillSpec.Uniform(-1, 3),
            "normal" => FillSpec.Normal(0.5, 2),
            _ => FillSpec.TruncatedNormal(0.1, 1.5, -1, 2.5),
        };

        [TestMethod]
        [DynamicData(nameof(Kinds))]
        public void Fill_SameSeed_SameBitsOnOneTwoAndManyThreads(string kind)
        {
            const int n = 1_000_003; // not a multiple of the 32-element group, spans many 64K chunks
            float[] Run(int threads)
            {
                using var engine = Engine.Create(new EngineOptions { ThreadCount = threads });
                var data = new float[n];
                Draw(kind, engine, data, new Generator(1234, 5));
                return data;
            }
            float[] one = Run(1), two = Run(2), many = Run(Environment.ProcessorCount * 3 + 1);
            CollectionAssert.AreEqual(one, two);
            CollectionAssert.AreEqual(one, many);
        }

        [TestMethod]
        [DynamicData(nameof(Kinds))]
        public void Fill_ConsecutiveCalls_Differ(string kind)
        {
            using var engine = Engine.Create(new EngineOptions { Seed = 9 });
            var first = new float[1000];
            var second = new float[1000];
            Draw(kind, engine, first, null);
            Draw(kind, engine, second, null);
            int equal = first.Zip(second, (x, y) => x == y ? 1 : 0).Sum();
            Assert.IsLessThan(5, equal, $"consecutive {kind} fills share {equal} of 1000 values");
        }

        [TestMethod]
        public void Fill_AdvancesOffsetByBlocksUsed()
        {
            using var engine = Engine.Create();
            var g = new Generator(1);
            Init.Normal(engine, new float[10], 0, 1, g);
            Assert.AreEqual(3UL, g.Offset); // ⌈10/4⌉
            Init.Uniform(engine, new float[4], 0, 1, g);
            Assert.AreEqual(4UL, g.Offset);
        }

        [TestMethod]
        [DynamicData(nameof(Kinds))]
        public void Fill_SplitAtBlockBoundary_EqualsOneFill(string kind)
        {
            using var engine = Engine.Create();
            var whole = new float[1000];
            Draw(kind, engine, whole, new Generator(77));
            var g = new Generator(77);
            var head = new float[396];
            var tail = new float[604];
            Draw(kind, engine, head, g);
            Draw(kind, engine, tail, g);
            CollectionAssert.AreEqual(whole, head.Concat(tail).ToArray());
        }

        [TestMethod]
        public void Generator_DifferentStreamsOrSeeds_Differ()
        {
            using var engine = Engine.Create();
            var a = new float[256];
            var b = new float[256];
            var c = new float[256];
            Init.Uniform(engine, a, 0, 1, new Generator(5, 0));
            Init.Uniform(engine, b, 0, 1, new Generator(5, 1));
            Init.Uniform(engine, c, 0, 1, new Generator(6, 0));
            Assert.IsFalse(a.SequenceEqual(b));
            Assert.IsFalse(a.SequenceEqual(c));
        }

        [TestMethod]
        public void Generator_Clone_ContinuesFromSamePosition()
        {
            using var engine = Engine.Create();
            var g = new Generator(3);
            Init.Normal(engine, new float[100], 0, 1, g);
            Generator copy = g.Clone();
            var x = new float[64];
            var y = new float[64];
            Init.Normal(engine, x, 0, 1, g);
            Init.Normal(engine, y, 0, 1, copy);
            CollectionAssert.AreEqual(x, y);
            Assert.AreEqual("Philox4x32-10(seed=3, stream=0, offset=41)", g.ToString());
        }

        [TestMethod]
        public void Engine_DefaultGenerator_IsSeededByHost()
        {
            float[] Run(ulong seed)
            {
                using var engine = Engine.Create(new EngineOptions { Seed = seed });
                using var t = engine.CreateTensor(8, 8);
                Init.Normal(t);
                return t.ToArray();
            }
            CollectionAssert.AreEqual(Run(42), Run(42));
            Assert.IsFalse(Run(42).SequenceEqual(Run(43)));
        }

        // The SIMD path (AVX2 Philox, Vector<T> transforms, 4×8 transpose) against the per-element
        // scalar formulas, for every length 0..256 and unaligned start blocks: the CPU specification.
        [TestMethod]
        [DynamicData(nameof(Kinds))]
        public unsafe void Fill_VectorPath_EqualsScalarSpecification_ForLengths0To256(string kind)
        {
            FillSpec spec = Spec(kind);
            ulong seed = 0xDEADBEEF12345678UL, stream = 3;
            foreach (ulong start in new ulong[] { 0, 1, 7, 0xFFFFFFFEUL })
            {
                for (int n = 0; n <= 256; n++)
                {
                    var actual = new float[n];
                    PhiloxFill.Fill(actual, spec, seed, stream, start, 1);
                    for (int i = 0; i < n; i++)
                    {
                        float expected = Support.ScalarSpec.Element(spec, seed, stream, start, i);
                        if (BitConverter.SingleToInt32Bits(expected) != BitConverter.SingleToInt32Bits(actual[i]))
                            Assert.Fail($"{kind}: start {start}, length {n}, element {i}: expected {expected:R}, got {actual[i]:R}");
                    }
                }
            }
        }

#if !ENGINE_NETSTANDARD
        // The netstandard2.1 build has no hardware intrinsics: its Philox is the scalar path.
        [TestMethod]
        [DataRow(1, "AVX2")]
        [DataRow(2, "AVX-512")]
        public unsafe void PhiloxSimdPath_EqualsScalarPath(int isa, string name)
        {
            uint* expected = stackalloc uint[PhiloxFill.ElementsPerGroup];
            uint* actual = stackalloc uint[PhiloxFill.ElementsPerGroup];
            foreach (ulong block0 in new ulong[] { 0, 5, 0xFFFFFFF0UL, 0xFFFFFFFFFFFFFFF0UL })
            {
                PhiloxFill.GenerateSoAWith(0, block0, 3, 4, 0xA4093822u, 0x299F31D0u, expected);
                if (!PhiloxFill.GenerateSoAWith(isa, block0, 3, 4, 0xA4093822u, 0x299F31D0u, actual))
                {
                    Assert.Inconclusive($"{name} is not available on this machine or in this build of the engine; its Philox path was not exercised.");
                    return;
                }
                for (int i = 0; i < PhiloxFill.ElementsPerGroup; i++)
                    Assert.AreEqual(expected[i], actual[i], $"{name}: block0 {block0}, word {i}");
            }
        }
#endif

        [TestMethod]
        public void Generator_ConcurrentFills_ReserveDisjointRanges()
        {
            using var engine = Engine.Create(new EngineOptions { ThreadCount = 1 });
            var g = new Generator(11);
            var results = new float[8][];
            System.Threading.Tasks.Parallel.For(0, 8, k =>
            {
                results[k] = new float[4096];
                Init.Uniform(engine, results[k], 0, 1, g);
            });
            Assert.AreEqual(8UL * 1024, g.Offset);
            // Every chunk of 4096 values must equal the fill at one of the 8 disjoint positions.
            var reference = new float[8 * 4096];
            Init.Uniform(engine, reference, 0, 1, new Generator(11));
            foreach (float[] r in results)
            {
                bool found = Enumerable.Range(0, 8).Any(p => reference.Skip(p * 4096).Take(4096).SequenceEqual(r));
                Assert.IsTrue(found, "a concurrent fill did not get its own counter range");
            }
        }
    }
}
