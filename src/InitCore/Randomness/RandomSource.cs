namespace InitCore.Randomness
{
    /// <summary>
    /// A source of random numbers that initializers draw from. <see cref="Generator"/> (counter-based
    /// Philox, parallel, identical on every backend) is the one to use unless you need another
    /// library's exact stream; <see cref="TorchGenerator"/> is PyTorch's CPU stream, for the same
    /// weights as <c>torch.manual_seed</c> and <c>torch.nn.init</c>.
    /// </summary>
    public abstract class RandomSource
    {
        private protected RandomSource()
        {
        }

        /// <summary>Draws <paramref name="spec"/> into a host span and advances the source, on up to
        /// <paramref name="threadCount"/> threads where the source is parallel (the bits never depend on it).</summary>
        internal abstract void FillHost(Span<float> destination, in FillSpec spec, int threadCount);
    }
}
