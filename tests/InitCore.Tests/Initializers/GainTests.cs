using System;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests
{
    [TestClass]
    public sealed class GainTests
    {
        [TestMethod]
        [DataRow("linear", 1.0)]
        [DataRow("conv1d", 1.0)]
        [DataRow("conv2d", 1.0)]
        [DataRow("conv3d", 1.0)]
        [DataRow("conv_transpose1d", 1.0)]
        [DataRow("conv_transpose2d", 1.0)]
        [DataRow("conv_transpose3d", 1.0)]
        [DataRow("sigmoid", 1.0)]
        [DataRow("tanh", 5.0 / 3.0)]
        [DataRow("relu", 1.4142135623730951)]
        [DataRow("selu", 0.75)]
        public void CalculateGain_MatchesTorchTableExactly(string name, double expected)
        {
            Assert.AreEqual(expected, Gain.Calculate(name));
            Assert.AreEqual(expected, Gain.Calculate(Gain.Parse(name)));
        }

        [TestMethod]
        public void CalculateGain_LeakyRelu_DefaultSlopeIsOneHundredth()
        {
            Assert.AreEqual(Math.Sqrt(2.0 / (1 + 0.01 * 0.01)), Gain.Calculate(Nonlinearity.LeakyRelu));
            Assert.AreEqual(Math.Sqrt(2.0 / 1.04), Gain.Calculate("leaky_relu", 0.2));
            Assert.AreEqual(Math.Sqrt(2.0), Gain.Calculate(Nonlinearity.LeakyRelu, 0));
            Assert.AreEqual(Math.Sqrt(1.0 / 3.0), Gain.Calculate(Nonlinearity.LeakyRelu, Math.Sqrt(5)), 1e-15);
        }

        [TestMethod]
        public void CalculateGain_ParamIgnoredExceptLeakyRelu()
        {
            Assert.AreEqual(Math.Sqrt(2.0), Gain.Calculate(Nonlinearity.Relu, 0.5));
        }

        [TestMethod]
        public void CalculateGain_UnknownName_ThrowsNamingChoices()
        {
            var ex = Assert.ThrowsExactly<ArgumentException>(() => Gain.Calculate("gelu"));
            Assert.AreEqual("nonlinearity", ex.ParamName);
            StringAssert.Contains(ex.Message, "Unsupported nonlinearity \"gelu\"");
            StringAssert.Contains(ex.Message, "Gain.Measure");
        }

        [TestMethod]
        public void CalculateGain_UndefinedEnumValue_Throws()
        {
            var ex = Assert.ThrowsExactly<ArgumentException>(() => Gain.Calculate((Nonlinearity)99));
            Assert.AreEqual("nonlinearity", ex.ParamName);
        }

        [TestMethod]
        public void CalculateGain_NonFiniteSlope_Throws()
        {
            var ex = Assert.ThrowsExactly<ArgumentException>(() => Gain.Calculate(Nonlinearity.LeakyRelu, double.NaN));
            StringAssert.Contains(ex.Message, "negative_slope");
        }

        [TestMethod]
        public void MeasuredGain_Relu_IsSqrtTwo()
        {
            Assert.AreEqual(Math.Sqrt(2), Gain.Measure(x => Math.Max(x, 0f)), 0.003);
        }

        [TestMethod]
        public void MeasuredGain_Identity_IsOne()
        {
            Assert.AreEqual(1.0, Gain.Measure(x => x), 0.002);
        }

        [TestMethod]
        public void MeasuredGain_GeluSiluMish_MatchQuadrature()
        {
            // Reference E[f(x)²] by trapezoidal quadrature over [−12, 12] with step 1e-3.
            static double Reference(Func<double, double> f)
            {
                double sum = 0, h = 1e-3;
                for (double x = -12; x <= 12; x += h) sum += f(x) * f(x) * Math.Exp(-x * x / 2) / Math.Sqrt(2 * Math.PI) * h;
                return 1 / Math.Sqrt(sum);
            }
            static double Phi(double x) => Support.NormalOracle.Phi(x);
            static double Softplus(double x) => x > 30 ? x : Math.Log(1 + Math.Exp(x));
            Func<double, double> gelu = x => x * Phi(x);
            Func<double, double> silu = x => x / (1 + Math.Exp(-x));
            Func<double, double> mish = x => x * Math.Tanh(Softplus(x));
            foreach (var (name, f) in new[] { ("gelu", gelu), ("silu", silu), ("mish", mish) })
            {
                double measured = Gain.Measure(x => (float)f(x), 1 << 20, seed: 3);
                double expected = Reference(f);
                Assert.AreEqual(expected, measured, 0.005 * expected, name);
            }
        }

        [TestMethod]
        public void MeasuredGain_ZeroActivation_Throws()
        {
            var ex = Assert.ThrowsExactly<ArgumentException>(() => Gain.Measure(_ => 0f));
            Assert.AreEqual("activation", ex.ParamName);
        }

        [TestMethod]
        public void MeasuredGain_NaNActivation_Throws()
        {
            var ex = Assert.ThrowsExactly<ArgumentException>(() => Gain.Measure(x => x > 2 ? float.NaN : x));
            StringAssert.Contains(ex.Message, "NaN");
        }

        [TestMethod]
        public void MeasuredGain_IsDeterministicPerSeed()
        {
            Assert.AreEqual(Gain.Measure(MathF.Tanh, 10_000, 5), Gain.Measure(MathF.Tanh, 10_000, 5));
        }
    }
}
