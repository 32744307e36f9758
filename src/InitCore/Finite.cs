namespace InitCore
{
    /// <summary>
    /// The engine's one finite-number guard: a value is finite when it is neither NaN nor ±∞. Argument checks call
    /// <see cref="Require(double, string)"/>, or <see cref="Is(double)"/> where their message says more than "finite".
    /// </summary>
    internal static class Finite
    {
        /// <summary>True unless <paramref name="value"/> is NaN or ±∞.</summary>
        internal static bool Is(double value) => !double.IsNaN(value) && !double.IsInfinity(value);

        /// <summary>True unless <paramref name="value"/> is NaN or ±∞.</summary>
        internal static bool Is(float value) => !float.IsNaN(value) && !float.IsInfinity(value);

        /// <summary>Throws <see cref="ArgumentException"/> naming <paramref name="name"/> unless <paramref name="value"/> is finite.</summary>
        /// <exception cref="ArgumentException">The value is NaN or ±∞.</exception>
        internal static void Require(double value, string name)
        {
            if (!Is(value))
                throw new ArgumentException($"{name} must be a finite number, but found {value.ToString("R", CultureInfo.InvariantCulture)}.", name);
        }
    }
}
