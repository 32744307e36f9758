using InitCore.Randomness;

namespace InitCore.Data
{
    /// <summary>Decides the order in which a <see cref="DataLoader"/> visits a data set's samples, epoch by epoch.</summary>
    public abstract class Sampler
    {
        /// <summary>Creates a sampler over <paramref name="count"/> samples.</summary>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
        protected Sampler(int count)
        {
            if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "The number of samples must be ≥ 0.");
            Count = count;
        }

        /// <summary>The number of samples the sampler orders (the data set's <see cref="Dataset.Count"/>).</summary>
        public int Count { get; }

        /// <summary>Returns the sample indices, in visiting order, for epoch <paramref name="epoch"/>; each in 0..Count−1.</summary>
        /// <param name="epoch">The epoch number, ≥ 0.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="epoch"/> is negative.</exception>
        public abstract int[] GetIndices(int epoch);

        /// <summary>Throws when <paramref name="epoch"/> is negative.</summary>
        protected static void CheckEpoch(int epoch)
        {
            if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), epoch, "The epoch must be ≥ 0.");
        }
    }

    /// <summary>Visits samples 0, 1, …, Count − 1 in order, every epoch (PyTorch's SequentialSampler).</summary>
    public sealed class SequentialSampler : Sampler
    {
        /// <summary>Creates a sequential sampler over <paramref name="count"/> samples.</summary>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
        public SequentialSampler(int count) : base(count) { }

        /// <inheritdoc />
        public override int[] GetIndices(int epoch)
        {
            CheckEpoch(epoch);
            var indices = new int[Count];
            for (int i = 0; i < indices.Length; i++) indices[i] = i;
            return indices;
        }

        /// <inheritdoc />
        public override string ToString() => $"SequentialSampler({Count})";
    }

    /// <summary>
    /// Visits every sample exactly once per epoch in a random order that depends only on the seed and the
    /// epoch: the same (seed, epoch) always gives the same permutation, on any machine and thread count;
    /// another epoch or another seed gives another one.
    /// </summary>
    /// <remarks>
    /// The permutation is a Fisher–Yates shuffle of 0..n−1 (for i = n−1 down to 1, swap element i with
    /// element j drawn uniformly from 0..i) driven by 32-bit Philox4x32-10 words with key = seed and stream =
    /// epoch: word w is lane w mod 4 of the block at counter (lo, hi of ⌊w/4⌋; lo, hi of epoch), the same
    /// sequence as <see cref="Generator"/>'s (seed, stream = epoch) and cuRAND's <c>curand()</c>. A draw in
    /// 0..i takes the next word x, rejects it while x &lt; 2³² mod (i + 1), and returns x mod (i + 1), which
    /// makes every j exactly equally likely.
    /// </remarks>
    public sealed class RandomSampler : Sampler
    {
        /// <summary>Creates a random sampler over <paramref name="count"/> samples.</summary>
        /// <param name="count">The number of samples, ≥ 0.</param>
        /// <param name="seed">The seed: the Philox key. It is required so that every shuffle is reproducible.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
        public RandomSampler(int count, ulong seed) : base(count) => Seed = seed;

        /// <summary>The seed.</summary>
        public ulong Seed { get; }

        /// <inheritdoc />
        public override int[] GetIndices(int epoch)
        {
            CheckEpoch(epoch);
            var indices = new int[Count];
            for (int i = 0; i < indices.Length; i++) indices[i] = i;
            var words = new PhiloxStream(Seed, (ulong)epoch);
            for (int i = indices.Length - 1; i > 0; i--)
            {
                uint bound = (uint)i + 1;
                uint threshold = unchecked(0u - bound) % bound; // 2³² mod bound
                uint x;
                do x = words.Next(); while (x < threshold);
                int j = (int)(x % bound);
                (indices[i], indices[j]) = (indices[j], indices[i]);
            }
            return indices;
        }

        /// <inheritdoc />
        public override string ToString() => $"RandomSampler({Count}, seed={Seed})";
    }
}
