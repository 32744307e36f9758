namespace InitCore.Backends.Cuda
{
    /// <summary>
    /// The engine's cuDNN convolution plans, one per <see cref="ConvGeometry"/> (an <see cref="IEquatable{T}"/> key, so a
    /// lookup neither boxes nor compares tuples), built on first use under the current TF32 setting. Owns every plan;
    /// <see cref="Clear"/> and <see cref="Dispose"/> destroy them. Only a complete plan enters the cache. Use under the
    /// owner's lock with the context current.
    /// </summary>
    internal sealed class CudnnConvPlanCache : IDisposable
    {
        private readonly Dictionary<ConvGeometry, CudnnConvPlan> _plans = new Dictionary<ConvGeometry, CudnnConvPlan>();

        /// <summary>Number of cached plans (each complete: descriptors set, three algorithms chosen).</summary>
        internal int Count => _plans.Count;

        /// <summary>The plan for <paramref name="g"/>, built with <paramref name="dnn"/> when not cached.</summary>
        internal CudnnConvPlan Get(CudnnHandle dnn, bool allowTf32, in ConvGeometry g)
        {
            if (_plans.TryGetValue(g, out CudnnConvPlan? plan)) return plan;
            plan = CudnnConvPlan.Build(dnn.Api, dnn.Handle, allowTf32, g);
            _plans[g] = plan;
            return plan;
        }

        /// <summary>Destroys every plan (their algorithms were chosen under another TF32 setting, or the engine is closing).</summary>
        internal void Clear()
        {
            foreach (CudnnConvPlan p in _plans.Values) p.Dispose();
            _plans.Clear();
        }

        public void Dispose() => Clear();
    }
}
