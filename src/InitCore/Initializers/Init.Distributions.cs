using InitCore.Randomness;

namespace InitCore.Initializers
{
    /// <summary>
    /// Weight initializers with the semantics of torch.nn.init and Keras, under .NET names.
    /// </summary>
    /// <remarks>
    /// <para>Every initializer has two forms: one on a <see cref="Tensor"/>, and one on a host
    /// <see cref="Span{T}"/> with its shape, so a host can initialize its own arrays.</para>
    /// <para>Random initializers draw from the given <see cref="Generator"/>, or from the engine's
    /// <see cref="Engine.DefaultGenerator"/> when none is given, and advance it (see the element
    /// mapping on <see cref="Generator"/>), so consecutive calls differ and the same seed gives the
    /// same bits on any thread count. Given a <see cref="TorchGenerator"/> instead, they give the
    /// float32 bits PyTorch gives after the same <c>torch.manual_seed</c> and calls.</para>
    /// <para>Where PyTorch raises, these throw <see cref="ArgumentException"/> naming the parameter.
    /// A zero-element tensor of a valid rank is a no-op and does not advance the generator.</para>
    /// </remarks>
    public static partial class Init
    {
        /// <summary>
        /// Fills with U(a, b). Equivalent to <c>torch.nn.init.uniform_(tensor, a, b)</c>
        /// (Keras <c>RandomUniform(minval=a, maxval=b)</c>).
        /// </summary>
        /// <remarks>value = min(u·(b − a) + a, b) with u = k·2⁻²⁴, k uniform on 0..2²⁴−1, in float32; every value lies in [a, b]
        /// rounded to float32 (the top value can round to b itself, as in PyTorch).</remarks>
        /// <param name="tensor">The tensor to fill.</param>
        /// <param name="a">Lower bound.</param>
        /// <param name="b">Upper bound, ≥ a.</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <exception cref="ArgumentException">a &gt; b, a bound is not finite or beyond float32's range, or b − a exceeds float32's largest value (as torch's uniform_).</exception>
        public static void Uniform(Tensor tensor, double a = 0.0, double b = 1.0, RandomSource? generator = null)
            => new InitTarget(tensor).Fill(InitDefinition.Uniform(a, b), generator);

        /// <inheritdoc cref="Uniform(Tensor, double, double, RandomSource?)"/>
        /// <param name="engine">The engine whose CPU workers do the work.</param>
        /// <param name="data">The host array to fill.</param>
        /// <param name="a">Lower bound.</param>
        /// <param name="b">Upper bound, ≥ a.</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        public static void Uniform(Engine engine, Span<float> data, double a = 0.0, double b = 1.0, RandomSource? generator = null)
            => InitTarget.Flat(engine, data, new int[1]).Fill(InitDefinition.Uniform(a, b), generator);

        /// <summary>
        /// Fills with N(mean, std²). Equivalent to <c>torch.nn.init.normal_(tensor, mean, std)</c>
        /// (Keras <c>RandomNormal(mean, stddev)</c>).
        /// </summary>
        /// <remarks>Box–Muller on Philox lane pairs (see <see cref="Generator"/>); value = z·std + mean.</remarks>
        /// <param name="tensor">The tensor to fill.</param>
        /// <param name="mean">Mean.</param>
        /// <param name="std">Standard deviation, ≥ 0.</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <exception cref="ArgumentException">std &lt; 0, a parameter is not finite, or |mean| + 9·std exceeds float32's range (values would overflow to infinity).</exception>
        public static void Normal(Tensor tensor, double mean = 0.0, double std = 1.0, RandomSource? generator = null)
            => new InitTarget(tensor).Fill(InitDefinition.Normal(mean, std), generator);

        /// <inheritdoc cref="Normal(Tensor, double, double, RandomSource?)"/>
        /// <param name="engine">The engine whose CPU workers do the work.</param>
        /// <param name="data">The host array to fill.</param>
        /// <param name="mean">Mean.</param>
        /// <param name="std">Standard deviation, ≥ 0.</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        public static void Normal(Engine engine, Span<float> data, double mean = 0.0, double std = 1.0, RandomSource? generator = null)
            => InitTarget.Flat(engine, data, new int[1]).Fill(InitDefinition.Normal(mean, std), generator);

        /// <summary>
        /// Fills with N(mean, std²) truncated to [a, b], where a and b are absolute bounds (not
        /// multiples of std). Equivalent to <c>torch.nn.init.trunc_normal_(tensor, mean, std, a, b)</c>.
        /// </summary>
        /// <remarks>
        /// Inverse-CDF sampling with no rejection loop, as PyTorch: with α = (a − mean)/std and
        /// β = (b − mean)/std, t ~ U(2Φ(α) − 1, 2Φ(β) − 1), value = clamp(mean + std·√2·erfinv(t), a, b).
        /// Every value lies in [a, b]. For Keras' <c>TruncatedNormal(mean, stddev)</c>, which cuts at
        /// two standard deviations, pass a = mean − 2·stddev and b = mean + 2·stddev.
        /// </remarks>
        /// <param name="tensor">The tensor to fill.</param>
        /// <param name="mean">Mean of the underlying normal.</param>
        /// <param name="std">Standard deviation of the underlying normal, &gt; 0.</param>
        /// <param name="a">Lower cut (absolute value).</param>
        /// <param name="b">Upper cut (absolute value), &gt; a.</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <exception cref="ArgumentException">std ≤ 0, a ≥ b, a parameter is NaN, mean or std is not finite, or a value could overflow float32 (max(a, mean − 9·std) or min(b, mean + 9·std) beyond float32's range).</exception>
        public static void TruncatedNormal(Tensor tensor, double mean = 0.0, double std = 1.0, double a = -2.0, double b = 2.0, RandomSource? generator = null)
            => new InitTarget(tensor).Fill(InitDefinition.TruncatedNormal(mean, std, a, b), generator);

        /// <inheritdoc cref="TruncatedNormal(Tensor, double, double, double, double, RandomSource?)"/>
        /// <param name="engine">The engine whose CPU workers do the work.</param>
        /// <param name="data">The host array to fill.</param>
        /// <param name="mean">Mean of the underlying normal.</param>
        /// <param name="std">Standard deviation of the underlying normal, &gt; 0.</param>
        /// <param name="a">Lower cut (absolute value).</param>
        /// <param name="b">Upper cut (absolute value), &gt; a.</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        public static void TruncatedNormal(Engine engine, Span<float> data, double mean = 0.0, double std = 1.0, double a = -2.0, double b = 2.0, RandomSource? generator = null)
            => InitTarget.Flat(engine, data, new int[1]).Fill(InitDefinition.TruncatedNormal(mean, std, a, b), generator);

        /// <summary>Fills with a constant. Equivalent to <c>torch.nn.init.constant_(tensor, val)</c> (Keras <c>Constant</c>).</summary>
        /// <param name="tensor">The tensor to fill.</param>
        /// <param name="value">The value, rounded to float32.</param>
        /// <exception cref="ArgumentException">value is finite but beyond float32's range (torch: "value cannot be converted to type float without overflow").</exception>
        public static void Constant(Tensor tensor, double value) => new InitTarget(tensor).FillConstant(ConstantValue(value));

        /// <inheritdoc cref="Constant(Tensor, double)"/>
        /// <param name="engine">The engine whose CPU workers do the work.</param>
        /// <param name="data">The host array to fill.</param>
        /// <param name="value">The value, rounded to float32.</param>
        public static void Constant(Engine engine, Span<float> data, double value) => InitTarget.Flat(engine, data, new int[1]).FillConstant(ConstantValue(value));

        /// <summary>The value as float32; a finite value beyond float32's range throws, as torch's fill_ does (±∞ and NaN pass).</summary>
        internal static float ConstantValue(double value)
        {
            if (Finite.Is(value) && Math.Abs(value) > FloatMax)
                throw new ArgumentException($"value {Format(value)} cannot be converted to float32 without overflow; pass a value within ±{Format(FloatMax)} (or ±infinity explicitly).", nameof(value));
            return (float)value;
        }

        /// <summary>Fills with 0. Equivalent to <c>torch.nn.init.zeros_</c> (Keras <c>Zeros</c>).</summary>
        /// <param name="tensor">The tensor to fill.</param>
        public static void Zeros(Tensor tensor) => Constant(tensor, 0.0);

        /// <inheritdoc cref="Zeros(Tensor)"/>
        /// <param name="engine">The engine whose CPU workers do the work.</param>
        /// <param name="data">The host array to fill.</param>
        public static void Zeros(Engine engine, Span<float> data) => Constant(engine, data, 0.0);

        /// <summary>Fills with 1. Equivalent to <c>torch.nn.init.ones_</c> (Keras <c>Ones</c>).</summary>
        /// <param name="tensor">The tensor to fill.</param>
        public static void Ones(Tensor tensor) => Constant(tensor, 1.0);

        /// <inheritdoc cref="Ones(Tensor)"/>
        /// <param name="engine">The engine whose CPU workers do the work.</param>
        /// <param name="data">The host array to fill.</param>
        public static void Ones(Engine engine, Span<float> data) => Constant(engine, data, 1.0);

        /// <summary>Largest finite float32, in double.</summary>
        private const double FloatMax = float.MaxValue;

        /// <summary>
        /// A bound on |z| of every standard normal draw of every generator (Philox Box–Muller: 6.7; torch's
        /// double-precision Box–Muller: 8.6), so a normal fill stays within mean ± 9·std.
        /// </summary>
        internal const double NormalReach = 9.0;

        /// <summary>
        /// U(a, b) as float32, checked as torch's uniform_ (check_uniform_bounds): a ≤ b, both finite and within
        /// float32's range, and b − a ≤ float32's largest value.
        /// </summary>
        /// <param name="a">Lower bound.</param>
        /// <param name="b">Upper bound.</param>
        /// <param name="blame">The caller's parameter that produced the bounds (e.g. gain), named instead of a and b; null: a and b.</param>
        internal static FillSpec UniformSpec(double a, double b, string? blame = null)
        {
            RequireFiniteOrBlame(a, nameof(a), blame);
            RequireFiniteOrBlame(b, nameof(b), blame);
            if (a > b)
                throw new ArgumentException($"uniform expects a range [a, b] with a ≤ b, but found a={Format(a)} > b={Format(b)}.", blame ?? nameof(a));
            if (a < -FloatMax)
                throw new ArgumentException($"uniform's lower bound a={Format(a)} is below float32's range (±{Format(FloatMax)}), so it cannot be stored; {Advice(blame, "pass a ≥ -3.4028234663852886E+38")}.", blame ?? nameof(a));
            if (b > FloatMax)
                throw new ArgumentException($"uniform's upper bound b={Format(b)} is above float32's range (±{Format(FloatMax)}), so it cannot be stored; {Advice(blame, "pass b ≤ 3.4028234663852886E+38")}.", blame ?? nameof(b));
            if (b - a > FloatMax || float.IsInfinity((float)b - (float)a))
                throw new ArgumentException($"uniform expects b − a ≤ float32's largest value {Format(FloatMax)}, but found a={Format(a)}, b={Format(b)}, whose width overflows float32 to infinity; {Advice(blame, "narrow the range")}.", blame ?? nameof(b));
            return FillSpec.Uniform(a, b);
        }

        /// <summary>N(mean, std²) as float32: std ≥ 0, both finite, and mean ± 9·std within float32's range.</summary>
        /// <param name="mean">Mean.</param>
        /// <param name="std">Standard deviation.</param>
        /// <param name="blame">The caller's parameter that produced std (e.g. gain), named instead of std; null: std.</param>
        internal static FillSpec NormalSpec(double mean, double std, string? blame = null)
        {
            Finite.Require(mean, nameof(mean));
            RequireFiniteOrBlame(std, nameof(std), blame);
            if (std < 0)
                throw new ArgumentException($"normal expects std ≥ 0.0, but found std={Format(std)}.", blame ?? nameof(std));
            RequireNormalReach(mean, std, double.NegativeInfinity, double.PositiveInfinity, "normal", blame);
            return FillSpec.Normal(mean, std);
        }

        /// <summary>
        /// Truncated N(mean, std²) on [a, b] as float32: std &gt; 0, a &lt; b, mean and std·√2 finite in float32, and the
        /// values that can be written, within [max(a, mean − 9·std), min(b, mean + 9·std)], inside float32's range.
        /// </summary>
        internal static FillSpec TruncatedNormalSpec(double mean, double std, double a, double b, string? blame = null)
        {
            Finite.Require(mean, nameof(mean));
            RequireFiniteOrBlame(std, nameof(std), blame);
            if (double.IsNaN(a)) throw new ArgumentException("a is NaN; pass a number or double.NegativeInfinity.", nameof(a));
            if (double.IsNaN(b)) throw new ArgumentException("b is NaN; pass a number or double.PositiveInfinity.", nameof(b));
            if (!(std > 0))
                throw new ArgumentException($"trunc_normal expects std > 0, but found std={Format(std)}.", blame ?? nameof(std));
            if (!(a < b))
                throw new ArgumentException($"trunc_normal expects a < b, but found a={Format(a)}, b={Format(b)}. The bounds are absolute values, not multiples of std.", nameof(a));
            RequireNormalReach(mean, std, a, b, "trunc_normal", blame);
            // The element formula scales erfinv(t) by std·√2 in float32: an infinite scale would turn erfinv(0) = 0 into NaN.
            if (std * 1.4142135623730951 > FloatMax)
                throw new ArgumentException($"trunc_normal's std·√2 = {Format(std * 1.4142135623730951)} is beyond float32's range (±{Format(FloatMax)}), so the fill cannot be computed in float32; {Advice(blame, "use a smaller std")}.", blame ?? nameof(std));
            return FillSpec.TruncatedNormal(mean, std, a, b);
        }

        /// <summary>Throws unless every value mean + z·std with |z| ≤ 9, clamped to [lo, hi], lies within float32's range.</summary>
        private static void RequireNormalReach(double mean, double std, double lo, double hi, string what, string? blame)
        {
            if (Math.Abs(mean) > FloatMax)
                throw new ArgumentException($"{what}'s mean={Format(mean)} is beyond float32's range (±{Format(FloatMax)}), so it cannot be stored; pass a mean within that range.", nameof(mean));
            double low = Math.Max(lo, mean - NormalReach * std), high = Math.Min(hi, mean + NormalReach * std);
            if (low < -FloatMax || high > FloatMax)
                throw new ArgumentException(
                    $"{what}(mean={Format(mean)}, std={Format(std)}) would write values up to mean ± {Format(NormalReach)}·std = [{Format(mean - NormalReach * std)}, {Format(mean + NormalReach * std)}], beyond float32's range (±{Format(FloatMax)}), where they overflow to infinity; {Advice(blame, "use a smaller std")}.",
                    blame ?? nameof(std));
        }

        /// <summary>
        /// A parameter given by the user must be finite. One derived from the user's <paramref name="blame"/> may be
        /// infinite (the range checks that follow explain the overflow); NaN is refused either way.
        /// </summary>
        private static void RequireFiniteOrBlame(double value, string name, string? blame)
        {
            if (blame is null) Finite.Require(value, name);
            else if (double.IsNaN(value))
                throw new ArgumentException($"{blame} gives {name} = NaN; pass a finite {blame}.", blame);
        }

        private static string Advice(string? blame, string otherwise) => blame is null ? otherwise : $"use a smaller {blame}";

        internal static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
    }
}
