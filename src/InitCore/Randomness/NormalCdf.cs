namespace InitCore.Randomness
{
    /// <summary>Double-precision helpers for distribution parameters (and for the tests' reference CDFs).</summary>
    internal static class Statistics
    {
        /// <summary>
        /// Standard normal CDF Φ(x), by Marsaglia's Taylor series ("Evaluating the Normal
        /// Distribution", J. Stat. Softw. 11(4), 2004): absolute error below 1e-15.
        /// </summary>
        internal static double NormalCdf(double x)
        {
            if (double.IsNaN(x)) return double.NaN;
            if (x < -9.0) return 0.0;   // Φ(−9) ≈ 1.1e-19: below every float32 resolution used here
            if (x > 9.0) return 1.0;
            double s = x, t = 0.0, b = x, q = x * x, i = 1.0;
            while (s != t)
            {
                t = s;
                i += 2.0;
                b *= q / i;
                s = t + b;
            }
            return 0.5 + s * Math.Exp(-0.5 * q - 0.91893853320467274178);
        }
    }
}
