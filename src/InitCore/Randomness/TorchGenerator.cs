namespace InitCore.Randomness
{
    /// <summary>
    /// PyTorch's CPU random generator, reproduced bit for bit: with the same seed and the same sequence
    /// of initializer calls, the float32 tensors equal PyTorch's. Equivalent to
    /// <c>torch.manual_seed(seed)</c> followed by draws from the CPU default generator (or
    /// <c>torch.Generator().manual_seed(seed)</c> passed as <c>generator=</c>).
    /// </summary>
    /// <remarks>
    /// <para><b>Engine.</b> MT19937 (Matsumoto and Nishimura, 1998) seeded as PyTorch seeds it: the
    /// state is initialised from the low 32 bits of the 64-bit seed with
    /// sᵢ = 1812433253·(sᵢ₋₁ ⊕ (sᵢ₋₁ ≫ 30)) + i; each 32-bit draw is one tempered MT output; a 64-bit
    /// draw is (first ≪ 32) | second.</para>
    /// <para><b>uniform_(a, b)</b> (float32), element by element in row-major order: one draw x,
    /// u = (x ∧ 0xFFFFFF)·2⁻²⁴, value = fma(u, b − a, a) in float32, a and b rounded to float first.</para>
    /// <para><b>normal_(mean, std)</b>, as PyTorch's CPU kernel: for 16 elements or more, uniforms u
    /// for all elements, then per 16-element chunk element j and j + 8 (j &lt; 8) become
    /// √(−2 ln(1 − u_j))·(cos, sin)(2π·u_{j+8})·std + mean, using the float32 Cephes log and sincos
    /// of PyTorch's AVX2 kernel (what it runs on x86-64) with its fused multiply-adds; when the size
    /// is not a multiple of 16, the last 16 elements are drawn again and transformed again. Below 16
    /// elements: the double-precision Box–Muller, u₁ and u₂ from 53-bit draws,
    /// r = √(−2 ln(1 − u₂)), z = r·cos(2π·u₁); r·sin(2π·u₁) is cached and returned by the next
    /// small normal draw.</para>
    /// <para><b>trunc_normal_(mean, std, a, b)</b>, as torch.nn.init: uniform_(2Φ(α) − 1, 2Φ(β) − 1),
    /// then ATen's float erfinv, ×(std·√2), +mean, clamp to [a, b].</para>
    /// <para>Every initializer of <see cref="Initializers.Init"/> draws through these three fills, so kaiming_*,
    /// xavier_*, trunc_normal_, PyTorch's Linear/Conv default and orthogonal_'s sample match
    /// (orthogonal_'s QR, and sparse_, which PyTorch draws with randperm, do not).
    /// docs/torch-compat.md lists what is bit-exact, the PyTorch version checked (1.13.1, x86-64,
    /// AVX2 kernels) and the measured bounds where it is not.</para>
    /// <para><b>Threads.</b> The stream is sequential, so fills are single-threaded (unlike
    /// <see cref="Generator"/>'s parallel Philox) and take an internal lock: concurrent use is safe,
    /// but the order in which concurrent calls take the lock decides which values each gets.</para>
    /// </remarks>
    public sealed class TorchGenerator : RandomSource
    {
        private const int StateSize = 624;
        private const int Shift = 397;

        private readonly object _sync = new object();
        private readonly uint[] _state = new uint[StateSize];
        private int _left;
        private int _next;
        private ulong _seed;
        private bool _hasNormal;
        private double _normal;

        /// <summary>
        /// Creates a generator seeded as <c>torch.manual_seed(seed)</c> seeds PyTorch's CPU generator.
        /// A negative Python seed s corresponds to <c>unchecked((ulong)s)</c>.
        /// </summary>
        /// <param name="seed">The 64-bit seed; MT19937 uses its low 32 bits, as PyTorch does.</param>
        public TorchGenerator(ulong seed) => Reseed(seed);

        /// <summary>The seed last given (<c>torch.initial_seed()</c>).</summary>
        public ulong InitialSeed
        {
            get
            {
                lock (_sync) return _seed;
            }
        }

        /// <summary>
        /// Reseeds: restarts the MT19937 stream from <paramref name="seed"/> and drops the cached
        /// normal value. Equivalent to <c>torch.manual_seed(seed)</c>.
        /// </summary>
        /// <param name="seed">The 64-bit seed.</param>
        public void ManualSeed(ulong seed)
        {
            lock (_sync) Reseed(seed);
        }

        /// <summary>Returns an independent copy at the same position, with the same cached normal value.</summary>
        public TorchGenerator Clone()
        {
            lock (_sync)
            {
                var copy = new TorchGenerator(_seed);
                Array.Copy(_state, copy._state, StateSize);
                copy._left = _left;
                copy._next = _next;
                copy._hasNormal = _hasNormal;
                copy._normal = _normal;
                return copy;
            }
        }

        /// <inheritdoc />
        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "TorchGenerator(MT19937, seed={0})", InitialSeed);

        internal override void FillHost(Span<float> destination, in FillSpec spec, int threadCount)
        {
            if (destination.Length == 0) return;
            lock (_sync) TorchFill.Fill(this, destination, spec);
        }

        private void Reseed(ulong seed)
        {
            _seed = seed;
            _hasNormal = false;
            _normal = 0;
            uint s = unchecked((uint)seed);
            _state[0] = s;
            for (int i = 1; i < StateSize; i++)
            {
                s = unchecked(1812433253u * (s ^ (s >> 30)) + (uint)i);
                _state[i] = s;
            }
            _left = 1;
            _next = 0;
        }

        /// <summary>One tempered MT19937 output (PyTorch's <c>CPUGeneratorImpl::random()</c>). The caller holds the lock.</summary>
        internal uint NextUInt32()
        {
            if (--_left == 0) Twist();
            return Temper(_state[_next++]);
        }

        /// <summary>The next <paramref name="destination"/>.Length outputs, as that many <see cref="NextUInt32"/> calls. The caller holds the lock.</summary>
        internal void NextUInt32s(Span<uint> destination)
        {
            uint[] state = _state;
            int i = 0;
            while (i < destination.Length)
            {
                // _left − 1 words of the current state remain before the next twist.
                int available = _left - 1;
                if (available == 0)
                {
                    destination[i++] = NextUInt32();
                    continue;
                }
                int take = Math.Min(available, destination.Length - i);
                ReadOnlySpan<uint> source = state.AsSpan(_next, take);
                Span<uint> target = destination.Slice(i, take);
                for (int k = 0; k < source.Length; k++) target[k] = Temper(source[k]);
                _next += take;
                _left -= take;
                i += take;
            }
        }

        private static uint Temper(uint y)
        {
            y ^= y >> 11;
            y ^= (y << 7) & 0x9d2c5680u;
            y ^= (y << 15) & 0xefc60000u;
            y ^= y >> 18;
            return y;
        }

        /// <summary>Two draws as (first ≪ 32) | second (PyTorch's <c>random64()</c>). The caller holds the lock.</summary>
        internal ulong NextUInt64()
        {
            ulong hi = NextUInt32();
            return (hi << 32) | NextUInt32();
        }

        /// <summary>
        /// One value of PyTorch's double-precision normal_distribution: the cached sine half if there
        /// is one, else Box–Muller on two 53-bit uniforms, caching the sine half; then fma(z, std, mean).
        /// The caller holds the lock.
        /// </summary>
        internal double NextNormal(double mean, double std)
        {
            double z;
            if (_hasNormal)
            {
                _hasNormal = false;
                z = _normal;
            }
            else
            {
                const double TwoPow53Inverse = 1.0 / 9007199254740992.0;
                double u1 = (NextUInt64() & ((1UL << 53) - 1)) * TwoPow53Inverse;
                double u2 = (NextUInt64() & ((1UL << 53) - 1)) * TwoPow53Inverse;
                double r = Math.Sqrt(-2.0 * Math.Log(1.0 - u2));
                double theta = 2.0 * Math.PI * u1;
                _normal = r * Math.Sin(theta);
                _hasNormal = true;
                z = r * Math.Cos(theta);
            }
            return TorchMath.Fma(z, std, mean);
        }

        private unsafe void Twist()
        {
            fixed (uint* s = _state)
            {
                int k = 0;
                for (; k < StateSize - Shift; k++) s[k] = s[k + Shift] ^ Mix(s[k], s[k + 1]);
                for (; k < StateSize - 1; k++) s[k] = s[k + Shift - StateSize] ^ Mix(s[k], s[k + 1]);
                s[StateSize - 1] = s[Shift - 1] ^ Mix(s[StateSize - 1], s[0]);
            }
            _left = StateSize;
            _next = 0;
        }

        // MT19937's twist of the pair (u, v): the top bit of u and the low 31 bits of v, shifted,
        // xor the matrix constant when v is odd.
        private static uint Mix(uint u, uint v)
        {
            uint y = (u & 0x80000000u) | (v & 0x7fffffffu);
            return (y >> 1) ^ (unchecked(0u - (v & 1u)) & 0x9908b0dfu);
        }
    }
}
