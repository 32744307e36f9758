namespace InitCore.Backends.Cuda
{
    /// <summary>A launch's grid: <see cref="X"/> × <see cref="Y"/> blocks and the dynamic shared memory per block (the block size is the backend's).</summary>
    internal readonly struct KernelGrid(uint x, uint y = 1, uint sharedBytes = 0)
    {
        internal uint X { get; } = x;
        internal uint Y { get; } = y;
        internal uint SharedBytes { get; } = sharedBytes;

        /// <summary>A one-dimensional grid without dynamic shared memory.</summary>
        public static implicit operator KernelGrid(uint x) => new KernelGrid(x);
    }

    /// <summary>Launches <paramref name="entry"/> with its packed argument array (one pointer per PTX <c>.param</c>, in order).</summary>
    internal unsafe delegate void KernelLaunch(string entry, KernelGrid grid, void** args);

    /// <summary>Names the PTX <c>.entry</c> a <see cref="CudaLaunchers"/> method launches; the method's parameters after the grid are its <c>.param</c>s, in order.</summary>
    [AttributeUsage(AttributeTargets.Method)]
    internal sealed class KernelEntryAttribute : Attribute
    {
        internal KernelEntryAttribute(string entry) => Entry = entry;

        internal string Entry { get; }
    }

    /// <summary>
    /// One typed method per kernel of native/kernels/*.cu: device pointers as <c>ulong</c>, counts as <c>ulong</c> or
    /// <c>int</c> exactly as the kernel declares them, structs as their mirrors in CudaKernels.cs. Each method packs its
    /// arguments once, in PTX order, and hands them to the backend's <see cref="KernelLaunch"/>. The test
    /// CudaLauncherTests checks every method against the embedded PTX: count, size and type of each parameter, and
    /// the order in which the bytes reach the launch.
    /// </summary>
    internal sealed unsafe class CudaLaunchers
    {
        private readonly KernelLaunch _launch;

        internal CudaLaunchers(KernelLaunch launch) => _launch = launch;

        // ------------------------------------------------------------------ philox_fill.cu

        [KernelEntry("initcore_fill")]
        internal void Fill(KernelGrid grid, FillTaskNative task)
        {
            void** a = stackalloc void*[1];
            a[0] = &task;
            _launch("initcore_fill", grid, a);
        }

        [KernelEntry("initcore_fill_batched")]
        internal void FillBatched(KernelGrid grid, ulong tasks, int count)
        {
            void** a = stackalloc void*[2];
            a[0] = &tasks; a[1] = &count;
            _launch("initcore_fill_batched", grid, a);
        }

        [KernelEntry("initcore_fill_constant")]
        internal void FillConstant(KernelGrid grid, ulong dst, ulong n, float value)
        {
            void** a = stackalloc void*[3];
            a[0] = &dst; a[1] = &n; a[2] = &value;
            _launch("initcore_fill_constant", grid, a);
        }

        // ------------------------------------------------------------------ elementwise.cu

        [KernelEntry("initcore_relu_forward")]
        internal void ReluForward(KernelGrid grid, ulong x, ulong y, ulong n)
        {
            void** a = stackalloc void*[3];
            a[0] = &x; a[1] = &y; a[2] = &n;
            _launch("initcore_relu_forward", grid, a);
        }

        [KernelEntry("initcore_relu_backward")]
        internal void ReluBackward(KernelGrid grid, ulong x, ulong dy, ulong dx, ulong n)
        {
            void** a = stackalloc void*[4];
            a[0] = &x; a[1] = &dy; a[2] = &dx; a[3] = &n;
            _launch("initcore_relu_backward", grid, a);
        }

        [KernelEntry("initcore_leaky_relu_forward")]
        internal void LeakyReluForward(KernelGrid grid, ulong x, ulong y, ulong n, float leak)
        {
            void** a = stackalloc void*[4];
            a[0] = &x; a[1] = &y; a[2] = &n; a[3] = &leak;
            _launch("initcore_leaky_relu_forward", grid, a);
        }

        [KernelEntry("initcore_leaky_relu_backward")]
        internal void LeakyReluBackward(KernelGrid grid, ulong x, ulong dy, ulong dx, ulong n, float leak)
        {
            void** a = stackalloc void*[5];
            a[0] = &x; a[1] = &dy; a[2] = &dx; a[3] = &n; a[4] = &leak;
            _launch("initcore_leaky_relu_backward", grid, a);
        }

        [KernelEntry("initcore_general_relu_forward")]
        internal void GeneralReluForward(KernelGrid grid, ulong x, ulong y, ulong n, float leak, float sub, float maxv, int hasMax)
        {
            void** a = stackalloc void*[7];
            a[0] = &x; a[1] = &y; a[2] = &n; a[3] = &leak; a[4] = &sub; a[5] = &maxv; a[6] = &hasMax;
            _launch("initcore_general_relu_forward", grid, a);
        }

        [KernelEntry("initcore_general_relu_backward")]
        internal void GeneralReluBackward(KernelGrid grid, ulong x, ulong dy, ulong dx, ulong n, float leak, float sub, float maxv, int hasMax)
        {
            void** a = stackalloc void*[8];
            a[0] = &x; a[1] = &dy; a[2] = &dx; a[3] = &n; a[4] = &leak; a[5] = &sub; a[6] = &maxv; a[7] = &hasMax;
            _launch("initcore_general_relu_backward", grid, a);
        }

        [KernelEntry("initcore_scale_shift")]
        internal void ScaleShift(KernelGrid grid, ulong x, ulong n, float scale, float shift)
        {
            void** a = stackalloc void*[4];
            a[0] = &x; a[1] = &n; a[2] = &scale; a[3] = &shift;
            _launch("initcore_scale_shift", grid, a);
        }

        [KernelEntry("initcore_add")]
        internal void Add(KernelGrid grid, ulong x, ulong y, ulong z, ulong n) => Binary("initcore_add", grid, x, y, z, n);

        [KernelEntry("initcore_mul")]
        internal void Multiply(KernelGrid grid, ulong x, ulong y, ulong z, ulong n) => Binary("initcore_mul", grid, x, y, z, n);

        /// <summary>The packing the two binary kernels share: (x, y, z, n).</summary>
        private void Binary(string entry, KernelGrid grid, ulong x, ulong y, ulong z, ulong n)
        {
            void** a = stackalloc void*[4];
            a[0] = &x; a[1] = &y; a[2] = &z; a[3] = &n;
            _launch(entry, grid, a);
        }

        [KernelEntry("initcore_dropout_mask")]
        internal void DropoutMask(KernelGrid grid, ulong mask, ulong n, float p, float scale)
        {
            void** a = stackalloc void*[4];
            a[0] = &mask; a[1] = &n; a[2] = &p; a[3] = &scale;
            _launch("initcore_dropout_mask", grid, a);
        }

        // ------------------------------------------------------------------ activations.cu

        [KernelEntry("initcore_activation_forward")]
        internal void ActivationForward(KernelGrid grid, ulong x, ulong y, ulong n, int kind, float p0, float p1)
        {
            void** a = stackalloc void*[6];
            a[0] = &x; a[1] = &y; a[2] = &n; a[3] = &kind; a[4] = &p0; a[5] = &p1;
            _launch("initcore_activation_forward", grid, a);
        }

        [KernelEntry("initcore_activation_backward")]
        internal void ActivationBackward(KernelGrid grid, ulong x, ulong dy, ulong dx, ulong n, int kind, float p0, float p1)
        {
            void** a = stackalloc void*[7];
            a[0] = &x; a[1] = &dy; a[2] = &dx; a[3] = &n; a[4] = &kind; a[5] = &p0; a[6] = &p1;
            _launch("initcore_activation_backward", grid, a);
        }

        // ------------------------------------------------------------------ stats.cu

        [KernelEntry("initcore_stats_partial")]
        internal void StatsPartial(KernelGrid grid, ulong x, ulong n, StatsConfigNative config, ulong partials, ulong histogram)
        {
            void** a = stackalloc void*[5];
            a[0] = &x; a[1] = &n; a[2] = &config; a[3] = &partials; a[4] = &histogram;
            _launch("initcore_stats_partial", grid, a);
        }

        [KernelEntry("initcore_stats_merge")]
        internal void StatsMerge(KernelGrid grid, ulong partials, int count, ulong result)
        {
            void** a = stackalloc void*[3];
            a[0] = &partials; a[1] = &count; a[2] = &result;
            _launch("initcore_stats_merge", grid, a);
        }

        // ------------------------------------------------------------------ layers.cu: bias, pooling, batch norm

        [KernelEntry("initcore_add_bias")]
        internal void AddBias(KernelGrid grid, ulong y, ulong bias, int outer, int channels, int inner)
        {
            void** a = stackalloc void*[5];
            a[0] = &y; a[1] = &bias; a[2] = &outer; a[3] = &channels; a[4] = &inner;
            _launch("initcore_add_bias", grid, a);
        }

        [KernelEntry("initcore_bias_grad")]
        internal void BiasGrad(KernelGrid grid, ulong dy, ulong db, int outer, int channels, int inner, int accumulate)
        {
            void** a = stackalloc void*[6];
            a[0] = &dy; a[1] = &db; a[2] = &outer; a[3] = &channels; a[4] = &inner; a[5] = &accumulate;
            _launch("initcore_bias_grad", grid, a);
        }

        [KernelEntry("initcore_maxpool_forward")]
        internal void MaxPoolForward(KernelGrid grid, ulong x, ulong y, ulong argmax, int planes, int h, int w, int p, int q, int kernel, int stride, int padding)
        {
            void** a = stackalloc void*[11];
            a[0] = &x; a[1] = &y; a[2] = &argmax; a[3] = &planes; a[4] = &h; a[5] = &w; a[6] = &p; a[7] = &q; a[8] = &kernel; a[9] = &stride; a[10] = &padding;
            _launch("initcore_maxpool_forward", grid, a);
        }

        [KernelEntry("initcore_maxpool_backward")]
        internal void MaxPoolBackward(KernelGrid grid, ulong dy, ulong argmax, ulong dx, int planes, int h, int w, int p, int q)
        {
            void** a = stackalloc void*[8];
            a[0] = &dy; a[1] = &argmax; a[2] = &dx; a[3] = &planes; a[4] = &h; a[5] = &w; a[6] = &p; a[7] = &q;
            _launch("initcore_maxpool_backward", grid, a);
        }

        [KernelEntry("initcore_avgpool_forward")]
        internal void AvgPoolForward(KernelGrid grid, ulong x, ulong y, int planes, int size)
        {
            void** a = stackalloc void*[4];
            a[0] = &x; a[1] = &y; a[2] = &planes; a[3] = &size;
            _launch("initcore_avgpool_forward", grid, a);
        }

        [KernelEntry("initcore_avgpool_backward")]
        internal void AvgPoolBackward(KernelGrid grid, ulong dy, ulong dx, int planes, int size)
        {
            void** a = stackalloc void*[4];
            a[0] = &dy; a[1] = &dx; a[2] = &planes; a[3] = &size;
            _launch("initcore_avgpool_backward", grid, a);
        }

        [KernelEntry("initcore_batchnorm_stats")]
        internal void BatchNormStats(KernelGrid grid, ulong x, ulong mean, ulong invstd, ulong runningMean, ulong runningVar, int n, int c, int inner, float eps, float momentum, int training)
        {
            void** a = stackalloc void*[11];
            a[0] = &x; a[1] = &mean; a[2] = &invstd; a[3] = &runningMean; a[4] = &runningVar; a[5] = &n; a[6] = &c; a[7] = &inner; a[8] = &eps; a[9] = &momentum; a[10] = &training;
            _launch("initcore_batchnorm_stats", grid, a);
        }

        [KernelEntry("initcore_batchnorm_apply")]
        internal void BatchNormApply(KernelGrid grid, ulong x, ulong y, ulong mean, ulong invstd, ulong gamma, ulong beta, int n, int c, int inner)
        {
            void** a = stackalloc void*[9];
            a[0] = &x; a[1] = &y; a[2] = &mean; a[3] = &invstd; a[4] = &gamma; a[5] = &beta; a[6] = &n; a[7] = &c; a[8] = &inner;
            _launch("initcore_batchnorm_apply", grid, a);
        }

        [KernelEntry("initcore_batchnorm_backward_reduce")]
        internal void BatchNormBackwardReduce(KernelGrid grid, ulong x, ulong dy, ulong mean, ulong invstd, ulong dgamma, ulong dbeta, ulong k1, ulong k2, int n, int c, int inner)
        {
            void** a = stackalloc void*[11];
            a[0] = &x; a[1] = &dy; a[2] = &mean; a[3] = &invstd; a[4] = &dgamma; a[5] = &dbeta; a[6] = &k1; a[7] = &k2; a[8] = &n; a[9] = &c; a[10] = &inner;
            _launch("initcore_batchnorm_backward_reduce", grid, a);
        }

        [KernelEntry("initcore_batchnorm_backward_apply")]
        internal void BatchNormBackwardApply(KernelGrid grid, ulong x, ulong dy, ulong mean, ulong invstd, ulong gamma, ulong k1, ulong k2, ulong dx, int n, int c, int inner)
        {
            void** a = stackalloc void*[11];
            a[0] = &x; a[1] = &dy; a[2] = &mean; a[3] = &invstd; a[4] = &gamma; a[5] = &k1; a[6] = &k2; a[7] = &dx; a[8] = &n; a[9] = &c; a[10] = &inner;
            _launch("initcore_batchnorm_backward_apply", grid, a);
        }

        // ------------------------------------------------------------------ layers.cu: losses and SGD

        [KernelEntry("initcore_xent_forward")]
        internal void CrossEntropyForward(KernelGrid grid, ulong logits, ulong labels, ulong probs, ulong losses, int n, int classes)
        {
            void** a = stackalloc void*[6];
            a[0] = &logits; a[1] = &labels; a[2] = &probs; a[3] = &losses; a[4] = &n; a[5] = &classes;
            _launch("initcore_xent_forward", grid, a);
        }

        [KernelEntry("initcore_xent_backward")]
        internal void CrossEntropyBackward(KernelGrid grid, ulong probs, ulong labels, ulong dlogits, int n, int classes)
        {
            void** a = stackalloc void*[5];
            a[0] = &probs; a[1] = &labels; a[2] = &dlogits; a[3] = &n; a[4] = &classes;
            _launch("initcore_xent_backward", grid, a);
        }

        [KernelEntry("initcore_count_correct")]
        internal void CountCorrect(KernelGrid grid, ulong logits, ulong labels, int n, int classes, ulong counter)
        {
            void** a = stackalloc void*[5];
            a[0] = &logits; a[1] = &labels; a[2] = &n; a[3] = &classes; a[4] = &counter;
            _launch("initcore_count_correct", grid, a);
        }

        [KernelEntry("initcore_mse_partial")]
        internal void MsePartial(KernelGrid grid, ulong x, ulong target, ulong n, ulong partials)
        {
            void** a = stackalloc void*[4];
            a[0] = &x; a[1] = &target; a[2] = &n; a[3] = &partials;
            _launch("initcore_mse_partial", grid, a);
        }

        [KernelEntry("initcore_mse_backward")]
        internal void MseBackward(KernelGrid grid, ulong x, ulong target, ulong dx, ulong n)
        {
            void** a = stackalloc void*[4];
            a[0] = &x; a[1] = &target; a[2] = &dx; a[3] = &n;
            _launch("initcore_mse_backward", grid, a);
        }

        [KernelEntry("initcore_sgd_step")]
        internal void SgdStep(KernelGrid grid, ulong p, ulong g, ulong buffer, ulong n, float lr, float momentum, float weightDecay, int first)
        {
            void** a = stackalloc void*[8];
            a[0] = &p; a[1] = &g; a[2] = &buffer; a[3] = &n; a[4] = &lr; a[5] = &momentum; a[6] = &weightDecay; a[7] = &first;
            _launch("initcore_sgd_step", grid, a);
        }
    }
}
