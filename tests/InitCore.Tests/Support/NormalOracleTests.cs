using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests
{
    /// <summary>The tests' own normal CDF and erf against published values, before the KS and gain tests trust them.</summary>
    [TestClass]
    public sealed class NormalOracleTests
    {
        // Values from mpmath at 30 digits (ncdf, erf, erfc), rounded to 20; they agree with Abramowitz–Stegun tables 7.1 and 26.1.
        [TestMethod]
        [DataRow(0.0, 0.5)]
        [DataRow(1.0, 0.84134474606854294859)]
        [DataRow(-1.0, 0.15865525393145705141)]
        [DataRow(1.96, 0.97500210485177956379)]
        [DataRow(-3.0, 0.0013498980316300945267)]
        [DataRow(5.0, 0.99999971334842812081)]
        [DataRow(-8.0, 6.2209605742717841e-16)]
        public void Phi_MatchesTables(double x, double expected)
        {
            Assert.AreEqual(expected, Support.NormalOracle.Phi(x), 1e-14 + 1e-12 * expected, $"Phi({x})");
        }

        [TestMethod]
        [DataRow(0.5, 0.52049987781304653768)]
        [DataRow(1.0, 0.84270079294971486934)]
        [DataRow(2.0, 0.99532226501895273416)]
        [DataRow(-2.4, -0.99931148610335492)]
        [DataRow(3.0, 0.99997790950300141456)]
        public void Erf_MatchesTables(double z, double expected)
        {
            Assert.AreEqual(expected, Support.NormalOracle.Erf(z), 1e-14, $"erf({z})");
        }

        [TestMethod]
        [DataRow(2.5, 4.0695201744495893956e-4)]
        [DataRow(4.0, 1.5417257900280018852e-8)]
        [DataRow(6.0, 2.1519736712498913117e-17)]
        public void Erfc_InTheTail_HasSmallRelativeError(double z, double expected)
        {
            Assert.AreEqual(expected, Support.NormalOracle.Erfc(z), 1e-12 * expected, $"erfc({z})");
        }
    }
}
