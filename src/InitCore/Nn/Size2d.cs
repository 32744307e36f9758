namespace InitCore.Nn
{
    /// <summary>
    /// A (height, width) pair for Conv2d's kernel size, stride, padding and dilation, written as a single int (both the
    /// same, as torch's <c>kernel_size=3</c>) or a tuple (<c>(3, 5)</c>, as torch's <c>kernel_size=(3, 5)</c>); both convert implicitly.
    /// </summary>
    public readonly struct Size2d : IEquatable<Size2d>
    {
        /// <summary>Creates the pair.</summary>
        public Size2d(int height, int width)
        {
            Height = height;
            Width = width;
        }

        /// <summary>The vertical value.</summary>
        public int Height { get; }

        /// <summary>The horizontal value.</summary>
        public int Width { get; }

        /// <summary>True when height and width are equal.</summary>
        public bool IsSquare => Height == Width;

        /// <summary>Both values <paramref name="value"/>.</summary>
        public static implicit operator Size2d(int value) => new Size2d(value, value);

        /// <summary>(height, width).</summary>
        public static implicit operator Size2d((int Height, int Width) value) => new Size2d(value.Height, value.Width);

        /// <summary>Deconstructs into (height, width).</summary>
        public void Deconstruct(out int height, out int width)
        {
            height = Height;
            width = Width;
        }

        /// <inheritdoc />
        public bool Equals(Size2d other) => Height == other.Height && Width == other.Width;

        /// <inheritdoc />
        public override bool Equals(object? obj) => obj is Size2d o && Equals(o);

        /// <inheritdoc />
        public override int GetHashCode() => Height * 31 + Width;

        /// <summary>Equality.</summary>
        public static bool operator ==(Size2d a, Size2d b) => a.Equals(b);

        /// <summary>Inequality.</summary>
        public static bool operator !=(Size2d a, Size2d b) => !a.Equals(b);

        /// <summary><c>3</c> when square, <c>(3, 5)</c> otherwise.</summary>
        public override string ToString() => IsSquare ? Height.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"({Height}, {Width})";
    }
}
