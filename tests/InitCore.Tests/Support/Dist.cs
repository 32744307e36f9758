using System;
using System.Linq;

namespace InitCore.Tests.Support
{
    /// <summary>Reference statistics for distribution tests.</summary>
    internal static class Dist
    {
        /// <summary>Kolmogorov–Smirnov critical value at α = 0.001 for n samples (asymptotic: 1.949/√n).</summary>
        internal static double KsCritical(int n) => 1.949 / Math.Sqrt(n);

        /// <summary>The one-sample Kolmogorov–Smirnov statistic D = sup |Fn(x) − F(x)|.</summary>
        internal static double KsStatistic(float[] samples, Func<double, double> cdf)
        {
            var sorted = (float[])samples.Clone();
            Array.Sort(sorted);
            int n = sorted.Length;
            double d = 0;
            for (int i = 0; i < n; i++)
            {
                double f = cdf(sorted[i]);
                d = Math.Max(d, Math.Max(f - (double)i / n, (double)(i + 1) / n - f));
            }
            return d;
        }

        /// <summary>Standard normal CDF from the tests' own <see cref="NormalOracle"/>, not the engine's.</summary>
        internal static double Phi(double x) => NormalOracle.Phi(x);

        internal static Func<double, double> NormalCdf(double mean, double std) => x => Phi((x - mean) / std);

        internal static Func<double, double> UniformCdf(double a, double b) => x => x <= a ? 0 : x >= b ? 1 : (x - a) / (b - a);

        internal static Func<double, double> TruncatedNormalCdf(double mean, double std, double a, double b)
        {
            double lo = Phi((a - mean) / std), hi = Phi((b - mean) / std);
            return x => x <= a ? 0 : x >= b ? 1 : (Phi((x - mean) / std) - lo) / (hi - lo);
        }

        /// <summary>Variance of N(0, σ²) truncated to [−kσ, kσ], divided by σ².</summary>
        internal static double TruncatedVarianceFactor(double k)
        {
            double pdf = Math.Exp(-0.5 * k * k) / Math.Sqrt(2 * Math.PI);
            double z = 2 * Phi(k) - 1;
            return 1 - 2 * k * pdf / z;
        }

        internal static (double Mean, double Std) Moments(float[] x)
        {
            double mean = x.Average(v => (double)v);
            double var = x.Sum(v => (v - mean) * (v - mean)) / (x.Length - 1);
            return (mean, Math.Sqrt(var));
        }
    }
}
