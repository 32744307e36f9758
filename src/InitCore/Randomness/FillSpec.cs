namespace InitCore.Randomness
{
    /// <summary>Which distribution a Philox fill draws.</summary>
    internal enum FillKind
    {
        /// <summary>value = min(lo + u·width, hi), u from the top 24 bits of the element's word.</summary>
        Uniform,
        /// <summary>value = mean + std·z, z from Box–Muller on the element's lane pair.</summary>
        Normal,
        /// <summary>value = clamp(mean + scale·erfinv(tLo + u·tWidth), a, b).</summary>
        TruncatedNormal,
    }

    /// <summary>
    /// The float32 parameters of one fill, already reduced to what the element formula needs.
    /// The host computes them in double and rounds once, so every backend starts from the same floats.
    /// </summary>
    internal readonly struct FillSpec
    {
        private FillSpec(FillKind kind, double d0, double d1, double d2, double d3, float p0, float p1, float p2 = 0, float p3 = 0, float p4 = 0, float p5 = 0)
        {
            Kind = kind; D0 = d0; D1 = d1; D2 = d2; D3 = d3; P0 = p0; P1 = p1; P2 = p2; P3 = p3; P4 = p4; P5 = p5;
        }

        // The parameters as the caller gave them, in double (what torch.nn.init receives):
        // uniform (a, b); normal (mean, std); truncated normal (mean, std, a, b).
        internal double D0 { get; }
        internal double D1 { get; }
        internal double D2 { get; }
        internal double D3 { get; }

        internal FillKind Kind { get; }
        /// <summary>Uniform: lo. Normal: mean. Truncated: tLo = 2Φ(α) − 1.</summary>
        internal float P0 { get; }
        /// <summary>Uniform: width = hi − lo. Normal: std. Truncated: tWidth = 2Φ(β) − 2Φ(α).</summary>
        internal float P1 { get; }
        /// <summary>Uniform: hi, the upper clamp (u·width + lo can round past hi when the bounds round apart). Truncated: scale = std·√2.</summary>
        internal float P2 { get; }
        /// <summary>Truncated: mean.</summary>
        internal float P3 { get; }
        /// <summary>Truncated: lower clamp a.</summary>
        internal float P4 { get; }
        /// <summary>Truncated: upper clamp b.</summary>
        internal float P5 { get; }

        internal static FillSpec Uniform(double lo, double hi) => new FillSpec(FillKind.Uniform, lo, hi, 0, 0, (float)lo, (float)(hi - lo), (float)hi);

        internal static FillSpec Normal(double mean, double std) => new FillSpec(FillKind.Normal, mean, std, 0, 0, (float)mean, (float)std);

        internal static FillSpec TruncatedNormal(double mean, double std, double a, double b)
        {
            double lo = 2.0 * Statistics.NormalCdf((a - mean) / std) - 1.0;
            double hi = 2.0 * Statistics.NormalCdf((b - mean) / std) - 1.0;
            return new FillSpec(FillKind.TruncatedNormal, mean, std, a, b, (float)lo, (float)(hi - lo), (float)(std * 1.4142135623730951), (float)mean, (float)a, (float)b);
        }

        public override string ToString() => Kind switch
        {
            FillKind.Uniform => $"uniform(lo={P0}, width={P1}, hi={P2})",
            FillKind.Normal => $"normal(mean={P0}, std={P1})",
            _ => $"trunc_normal(tLo={P0}, tWidth={P1}, scale={P2}, mean={P3}, a={P4}, b={P5})",
        };
    }
}
