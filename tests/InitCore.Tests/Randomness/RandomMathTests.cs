using System;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Backends
{
    /// <summary>Accuracy of the float32 math the fills use, against double precision; and scalar = vector bit for bit.</summary>
    [TestClass]
    public sealed class RandomMathTests
    {
        private static int UlpDistance(float a, float b)
        {
            int ia = BitConverter.SingleToInt32Bits(a), ib = BitConverter.SingleToInt32Bits(b);
            if (ia < 0) ia = int.MinValue - ia;
            if (ib < 0) ib = int.MinValue - ib;
            return Math.Abs(ia - ib);
        }

        [TestMethod]
        public void Log_OnUnitInterval_WithinTwoUlp()
        {
            int worst = 0;
            for (uint k = 1; k <= (1u << 24); k += 97)
            {
                float x = k * (1.0f / 16777216.0f);
                float expected = (float)Math.Log(x);
                if (expected == 0) continue;
                worst = Math.Max(worst, UlpDistance(RandomMath.Log(x), expected));
            }
            Assert.IsLessThanOrEqualTo(2, worst, $"worst log error {worst} ulp");
        }

        [TestMethod]
        public void SinCos2Pi_OnUnitInterval_AbsoluteErrorBelow2e7()
        {
            double worst = 0;
            for (uint k = 0; k < (1u << 24); k += 61)
            {
                float u = k * (1.0f / 16777216.0f);
                RandomMath.SinCos2Pi(u, out float s, out float c);
                worst = Math.Max(worst, Math.Abs(s - Math.Sin(2 * Math.PI * u)));
                worst = Math.Max(worst, Math.Abs(c - Math.Cos(2 * Math.PI * u)));
            }
            Assert.IsLessThan(2e-7, worst, $"worst sin/cos error {worst}");
        }

        [TestMethod]
        public void ErfInv_InvertsErf_RelativeErrorBelow1e6()
        {
            double worst = 0;
            for (int k = -999_999; k <= 999_999; k += 37)
            {
                float t = k / 1_000_000f;
                if (t == 0) continue;
                double x = RandomMath.ErfInv(t);
                double erf = Support.NormalOracle.Erf(x);
                // Compare in x: the error of erf⁻¹ is Δt / erf'(x).
                double dx = (erf - t) / (2 / Math.Sqrt(Math.PI) * Math.Exp(-x * x));
                worst = Math.Max(worst, Math.Abs(dx / x));
            }
            Assert.IsLessThan(1e-6, worst, $"worst relative erfinv error {worst}");
        }

        [TestMethod]
        public void ErfInv_AtPlusMinusOne_IsInfinite()
        {
            Assert.AreEqual(float.PositiveInfinity, RandomMath.ErfInv(1f));
            Assert.AreEqual(float.NegativeInfinity, RandomMath.ErfInv(-1f));
        }

        [TestMethod]
        public void VectorMath_EqualsScalarMath_BitForBit()
        {
            int w = System.Numerics.Vector<float>.Count;
            var input = new float[w];
            var rng = new Random(5);
            for (int round = 0; round < 20000; round++)
            {
                for (int i = 0; i < w; i++) input[i] = (float)rng.NextDouble();
                input[0] = round == 0 ? 1e-9f : input[0];
                var v = new System.Numerics.Vector<float>(input);
                var log = RandomMath.Log(v);
                RandomMath.SinCos2Pi(v, out var sin, out var cos);
                var t = v * new System.Numerics.Vector<float>(2f) - System.Numerics.Vector<float>.One;
                var erfinv = RandomMath.ErfInv(t);
                for (int i = 0; i < w; i++)
                {
                    Assert.AreEqual(RandomMath.Log(input[i]), log[i], $"log({input[i]:R})");
                    RandomMath.SinCos2Pi(input[i], out float s, out float c);
                    Assert.AreEqual(s, sin[i], $"sin(2π·{input[i]:R})");
                    Assert.AreEqual(c, cos[i], $"cos(2π·{input[i]:R})");
                    Assert.AreEqual(RandomMath.ErfInv(t[i]), erfinv[i], $"erfinv({t[i]:R})");
                }
            }
        }
    }
}
