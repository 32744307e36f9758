using InitCore.Randomness;

namespace InitCore.Backends
{
    /// <summary>Memory that holds one tensor's elements on a backend.</summary>
    internal abstract class TensorStorage : IDisposable
    {
        /// <summary>The most elements a tensor may have: <see cref="Tensor.MaxLength"/> (the largest .NET array of float), so every tensor can be copied to a host array.</summary>
        internal const int MaxLength = 0x7FFFFFC7;

        protected TensorStorage(long length) => Length = length;

        internal long Length { get; }

        /// <summary>True once the memory has been given back (after <see cref="Dispose"/>); the storage answers this itself, so nothing above a backend type-tests its storage.</summary>
        internal abstract bool IsReleased { get; }

        /// <summary>The elements as a host array when the storage lives in host memory, otherwise null.</summary>
        /// <exception cref="ObjectDisposedException">The storage lives in host memory and has been released.</exception>
        internal virtual float[]? HostData => null;

        public abstract void Dispose();
    }

    /// <summary>Which activation formula a kernel applies (the <c>kind</c> argument of initcore_activation_forward/backward).</summary>
    internal enum ActivationKind
    {
        /// <summary>GeneralReLU (leak, sub, maxv), with ReLU and LeakyReLU as its special cases: the rectifier kernels.</summary>
        GeneralRelu = 0,
        /// <summary>tanh(x).</summary>
        Tanh = 1,
        /// <summary>1 / (1 + e^−x).</summary>
        Sigmoid = 2,
        /// <summary>x·Φ(x) = x/2·(1 + erf(x/√2)) (exact GELU).</summary>
        Gelu = 3,
        /// <summary>x·σ(x).</summary>
        Silu = 4,
        /// <summary>scale·(x &gt; 0 ? x : alpha·(e^x − 1)): ELU with scale 1 (P0 = alpha, P1 = scale), SELU with torch's constants.</summary>
        Elu = 5,
        /// <summary>x·beta &gt; threshold ? x : log(1 + e^(beta·x))/beta (P0 = beta, P1 = threshold).</summary>
        Softplus = 6,
    }

    /// <summary>The activation kernels: ReLU and LeakyReLU are GeneralReLU with fixed parameters; the smooth activations are a kind with two parameters.</summary>
    internal readonly struct ActivationSpec
    {
        internal ActivationSpec(float leak, float sub, float? maxv)
        {
            Kind = ActivationKind.GeneralRelu;
            Leak = leak;
            Sub = sub;
            MaxV = maxv;
            P0 = P1 = 0f;
        }

        /// <summary>A smooth activation with its parameters (see <see cref="ActivationKind"/>).</summary>
        internal ActivationSpec(ActivationKind kind, float p0 = 0f, float p1 = 0f)
        {
            Kind = kind;
            Leak = Sub = 0f;
            MaxV = null;
            P0 = p0;
            P1 = p1;
        }

        internal ActivationKind Kind { get; }
        internal float Leak { get; }
        internal float Sub { get; }
        internal float? MaxV { get; }
        /// <summary>ELU/SELU: alpha. Softplus: beta.</summary>
        internal float P0 { get; }
        /// <summary>ELU/SELU: scale. Softplus: threshold.</summary>
        internal float P1 { get; }
        internal bool IsRectifier => Kind == ActivationKind.GeneralRelu;
        internal bool IsRelu => IsRectifier && Leak == 0 && Sub == 0 && MaxV is null;
        internal bool IsLeaky => IsRectifier && Leak != 0 && Sub == 0 && MaxV is null;
    }

    /// <summary>Histogram and near-zero settings of a statistics pass, in the float form the kernels use.</summary>
    internal readonly struct StatsConfig
    {
        internal StatsConfig(float nearZero, float lo, float hi, int bins, bool absolute)
        {
            NearZero = nearZero;
            Lo = lo;
            Hi = hi;
            Bins = bins;
            Absolute = absolute;
            InvWidth = bins > 0 ? (float)(bins / ((double)hi - lo)) : 0f;
        }

        internal float NearZero { get; }
        internal float Lo { get; }
        internal float Hi { get; }
        internal int Bins { get; }
        internal bool Absolute { get; }
        internal float InvWidth { get; }
    }

    /// <summary>The merged one-pass statistics of a tensor (count, mean, M2, min, max, near-zero count, histogram).</summary>
    internal sealed class StatsResult
    {
        internal long Count;
        internal long NearZero;
        internal double Mean;
        internal double M2;
        internal float Min = float.PositiveInfinity;
        internal float Max = float.NegativeInfinity;
        internal long[] Histogram = Array.Empty<long>();

        /// <summary>Chan et al.'s parallel merge of two Welford summaries.</summary>
        internal void Merge(long count, double mean, double m2, float min, float max, long nearZero)
        {
            if (count == 0) return;
            if (Count == 0)
            {
                Count = count; Mean = mean; M2 = m2; Min = min; Max = max; NearZero = nearZero;
                return;
            }
            double na = Count, nb = count, n = na + nb;
            double delta = mean - Mean;
            Mean += delta * (nb / n);
            M2 += m2 + delta * delta * (na * nb / n);
            Count += count;
            NearZero += nearZero;
            Min = min < Min ? min : Min;
            Max = max > Max ? max : Max;
        }
    }

    /// <summary>
    /// A fixed-capacity ring of statistics results that stays on the backend's device: recording launches
    /// the one-pass kernel into a slot without synchronizing; reading copies the slots back.
    /// </summary>
    internal abstract class StatsRing : IDisposable
    {
        protected StatsRing(StatsConfig config, int capacity)
        {
            Config = config;
            Capacity = capacity;
        }

        internal StatsConfig Config { get; }
        internal int Capacity { get; }

        /// <summary>Computes the statistics of x into slot (slot mod capacity).</summary>
        internal abstract void Record(TensorStorage x, int slot);

        /// <summary>Reads the given slots (synchronizes on a device).</summary>
        internal abstract StatsResult[] Read(int[] slots);

        public abstract void Dispose();
    }

    /// <summary>
    /// The operations every backend implements with the same semantics. The CPU backend is the
    /// specification; the CUDA backend is checked against it.
    /// </summary>
    internal abstract partial class Backend : IDisposable
    {
        internal abstract BackendKind Kind { get; }

        /// <summary>The device as torch prints it in a tensor's repr (<c>cuda:0</c>), or null for host memory.</summary>
        internal virtual string? TorchDevice => null;
        internal abstract string Description { get; }
        internal abstract TensorStorage Allocate(long length);
        internal abstract void Upload(TensorStorage destination, ReadOnlySpan<float> source);
        internal abstract void Download(TensorStorage source, Span<float> destination);
        internal abstract void Fill(TensorStorage destination, in FillSpec spec, in PhiloxCounter counter);
        internal abstract void FillBatched(TensorStorage[] destinations, FillSpec[] specs, PhiloxCounter[] counters);
        internal abstract void FillConstant(TensorStorage destination, float value);
        internal abstract void ScaleShift(TensorStorage x, float scale, float shift);
        internal abstract void ActivationForward(in ActivationSpec spec, TensorStorage x, TensorStorage y);
        internal abstract void ActivationBackward(in ActivationSpec spec, TensorStorage x, TensorStorage dy, TensorStorage dx);
        internal abstract StatsResult Statistics(TensorStorage x, in StatsConfig config);

        /// <summary>c = a + b elementwise (same lengths; c may be a or b).</summary>
        internal abstract void Add(TensorStorage a, TensorStorage b, TensorStorage c);

        /// <summary>c = a·b elementwise (same lengths; c may be a or b).</summary>
        internal abstract void Multiply(TensorStorage a, TensorStorage b, TensorStorage c);

        /// <summary>
        /// Dropout's mask, in place over uniforms u in [0, 1) drawn by a Philox fill: m = u &lt; p ? 0 : scale
        /// (an element is kept with probability 1 − p, and scaled by scale = 1/(1 − p)).
        /// </summary>
        internal abstract void DropoutMask(TensorStorage m, float p, float scale);
        internal abstract StatsRing CreateStatsRing(in StatsConfig config, int capacity);

        /// <summary>
        /// LSUV's measurement: the statistics of act(z·scale + shift + perChannel[c]) over z viewed as [outer, channels,
        /// inner], computed with the same float operations, in the same order, as <see cref="ScaleShift"/> (only when
        /// scale ≠ 1 or shift ≠ 0), then <see cref="AddBias"/> (only when perChannel is given), then
        /// <see cref="ActivationForward"/> (only when act is given), then <see cref="Statistics"/>. This composition
        /// through a temporary is the definition (and what CUDA runs); the CPU backend fuses it into one read of z.
        /// </summary>
        internal virtual StatsResult AffineActivationStatistics(TensorStorage z, float scale, float shift, TensorStorage? perChannel,
            int channels, int inner, ActivationSpec? act, in StatsConfig config)
        {
            using TensorStorage t = Allocate(z.Length);
            Copy(z, t);
            if (scale != 1f || shift != 0f) ScaleShift(t, scale, shift);
            if (perChannel is not null) AddBias(t, perChannel, (int)(z.Length / ((long)channels * inner)), channels, inner);
            if (act is ActivationSpec a) ActivationForward(a, t, t);
            return Statistics(t, config);
        }

        public abstract void Dispose();
    }
}
