using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests
{
    [TestClass]
    public sealed class PhiloxTests
    {
        // Random123 tests/kat_vectors, "philox4x32 10" lines: counter[4], key[2] → output[4].
        [TestMethod]
        [DataRow(0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u)]
        [DataRow(0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu)]
        [DataRow(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u, 0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u)]
        public void Philox4x32_10_MatchesRandom123KnownAnswers(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1, uint r0, uint r1, uint r2, uint r3)
        {
            var output = new uint[4];
            Philox4x32.Compute(new[] { c0, c1, c2, c3 }, new[] { k0, k1 }, output);
            CollectionAssert.AreEqual(new[] { r0, r1, r2, r3 }, output);
        }

        // The tests' own Philox (Support/PhiloxOracle) must meet the same published answers before other tests trust it.
        [TestMethod]
        [DataRow(0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u)]
        [DataRow(0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu)]
        [DataRow(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u, 0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u)]
        public void PhiloxOracle_MatchesRandom123KnownAnswers(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1, uint r0, uint r1, uint r2, uint r3)
        {
            CollectionAssert.AreEqual(new[] { r0, r1, r2, r3 }, Support.PhiloxOracle.Block(new[] { c0, c1, c2, c3 }, new[] { k0, k1 }));
        }

        [TestMethod]
        public void Philox4x32_Compute_WrongCounterLength_Throws()
        {
            var ex = Assert.ThrowsExactly<System.ArgumentException>(() => Philox4x32.Compute(new uint[3], new uint[2], new uint[4]));
            Assert.AreEqual("counter", ex.ParamName);
        }

        [TestMethod]
        public void Generator_Words_AreCurandPhiloxSequence()
        {
            // cuRAND's curand_init(seed, subsequence, 0) keys Philox with (lo(seed), hi(seed)) and counts
            // blocks in counter words 0-1 with the subsequence in words 2-3; InitCore's mapping is the same,
            // so the top 24 bits of element i of a U(0,1) fill are the top 24 bits of the i-th curand() word.
            ulong seed = 0x0123456789ABCDEFUL, stream = 7;
            using var engine = Engine.Create();
            var data = new float[12];
            Init.Uniform(engine, data, 0, 1, new Generator(seed, stream));
            for (int i = 0; i < data.Length; i++)
            {
                uint[] words = Support.PhiloxOracle.Words(seed, stream, (ulong)(i / 4));
                Assert.AreEqual((words[i % 4] >> 8) * (1.0f / 16777216.0f), data[i], $"element {i}");
            }
        }
    }
}
