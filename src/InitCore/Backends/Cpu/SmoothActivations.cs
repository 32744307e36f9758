namespace InitCore.Backends.Cpu
{
    /// <summary>
    /// CPU twins of initcore_activation_forward/backward in native/kernels/activations.cu: tanh, sigmoid, exact GELU,
    /// SiLU, ELU/SELU and Softplus, forward and backward. Each value is computed in double from the float input and
    /// rounded once (the CUDA kernels use CUDA's float functions, within 2 ulp, so the two agree to a few ulp rather
    /// than bit for bit; the parity fixtures state the tolerance). NaN propagates: every comparison that selects a branch
    /// is false for NaN, and the branch taken computes NaN, as PyTorch does.
    /// </summary>
    internal static class SmoothActivations
    {
        /// <summary>
        /// <see cref="ActivationFormulas.Forward"/> (smooth kinds) as an <see cref="IUnaryOp"/> and <see cref="ActivationFormulas.Backward"/> ((x, dy) → dx) as an
        /// <see cref="IBinaryOp"/>, for <see cref="ElementwiseLoop"/>: scalar only, because each value is computed in
        /// double and rounded once (a float vector form would not give the same bits).
        /// </summary>
        internal readonly struct Op : IUnaryOp, IBinaryOp
        {
            private const string NoVectorForm = "The smooth activations have no vector form (Vectorized is false).";
            private readonly ActivationSpec _spec;

            internal Op(in ActivationSpec spec) => _spec = spec;

            public bool Vectorized => false;

            public float Invoke(float x) => ActivationFormulas.Forward(_spec, x);

            public Vector<float> Invoke(Vector<float> x) => throw new NotSupportedException(NoVectorForm);

            public float Invoke(float x, float dy) => ActivationFormulas.Backward(_spec, x, dy);

            public Vector<float> Invoke(Vector<float> x, Vector<float> dy) => throw new NotSupportedException(NoVectorForm);
        }
    }
}
