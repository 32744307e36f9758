using System;
using InitCore.Backends.Cpu;

namespace InitCore
{
    /// <summary>
    /// A source of random numbers that initializers draw from. <see cref="Generator"/> (counter-based
    /// Philox, parallel, identical on every backend) is the one to use unless you need another
    /// library's exact stream.
    /// </summary>
    public abstract class RandomSource
    {
        private protected RandomSource()
        {
        }

        /// <summary>Draws <paramref name="spec"/> into a host span and advances the source.</summary>
        internal abstract void FillHost(CpuBackend cpu, Span<float> destination, in FillSpec spec);
    }
}
