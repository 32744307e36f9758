using System;

namespace InitCore.Tests.Support
{
    /// <summary>
    /// The tests' own standard normal CDF and error function, written independently of the engine's
    /// <c>Statistics.NormalCdf</c> (which sums Marsaglia's series for Φ directly): here erf is the
    /// alternating Taylor series erf(z) = 2/√π Σ (−1)ⁿ z²ⁿ⁺¹ / (n!(2n+1)) for |z| &lt; 2.5, and erfc is
    /// Laplace's continued fraction erfc(z) = e^(−z²)/√π · 1/(z + ½/(z + 1/(z + 3/2/(z + …)))) evaluated
    /// backwards for |z| ≥ 2.5 (Abramowitz–Stegun 7.1.5 and 7.1.14). Absolute error below 1e-13.
    /// </summary>
    internal static class NormalOracle
    {
        private const double TwoOverSqrtPi = 1.1283791670955125739;
        private const double InvSqrtPi = 0.56418958354775628695;
        private const double SeriesLimit = 2.5;

        /// <summary>Φ(x) = ½·erfc(−x/√2).</summary>
        internal static double Phi(double x)
        {
            if (double.IsNaN(x)) return double.NaN;
            return 0.5 * Erfc(-x / Math.Sqrt(2.0));
        }

        internal static double Erf(double z)
        {
            if (double.IsNaN(z)) return double.NaN;
            if (Math.Abs(z) < SeriesLimit) return ErfSeries(z);
            double tail = ErfcContinuedFraction(Math.Abs(z));
            return z > 0 ? 1.0 - tail : tail - 1.0;
        }

        internal static double Erfc(double z)
        {
            if (double.IsNaN(z)) return double.NaN;
            if (Math.Abs(z) < SeriesLimit) return 1.0 - ErfSeries(z);
            double tail = ErfcContinuedFraction(Math.Abs(z));
            return z > 0 ? tail : 2.0 - tail;
        }

        private static double ErfSeries(double z)
        {
            double z2 = z * z, power = z, sum = z;   // power = (−1)ⁿ z²ⁿ⁺¹ / n!
            for (int n = 1; n < 200; n++)
            {
                power *= -z2 / n;
                double term = power / (2 * n + 1);
                sum += term;
                if (Math.Abs(term) < 1e-17 * Math.Abs(sum)) break;
            }
            return TwoOverSqrtPi * sum;
        }

        private static double ErfcContinuedFraction(double z)
        {
            if (double.IsPositiveInfinity(z)) return 0.0;
            double f = z;
            for (int n = 300; n >= 1; n--) f = z + n * 0.5 / f;
            return Math.Exp(-z * z) * InvSqrtPi / f;
        }
    }
}
