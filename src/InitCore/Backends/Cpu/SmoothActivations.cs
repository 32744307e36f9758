using System;
using System.Numerics;
using InitCore.Randomness;

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
        private const double InvSqrt2 = 0.70710678118654752440, InvSqrt2Pi = 0.39894228040143267794;

        /// <summary>
        /// <see cref="Forward"/> as an <see cref="IUnaryOp"/> and <see cref="Backward"/> ((x, dy) → dx) as an
        /// <see cref="IBinaryOp"/>, for <see cref="ElementwiseLoop"/>: scalar only, because each value is computed in
        /// double and rounded once (a float vector form would not give the same bits).
        /// </summary>
        internal readonly struct Op : IUnaryOp, IBinaryOp
        {
            private const string NoVectorForm = "The smooth activations have no vector form (Vectorized is false).";
            private readonly ActivationSpec _spec;

            internal Op(in ActivationSpec spec) => _spec = spec;

            public bool Vectorized => false;

            public float Invoke(float x) => Forward(_spec, x);

            public Vector<float> Invoke(Vector<float> x) => throw new NotSupportedException(NoVectorForm);

            public float Invoke(float x, float dy) => Backward(_spec, x, dy);

            public Vector<float> Invoke(Vector<float> x, Vector<float> dy) => throw new NotSupportedException(NoVectorForm);
        }

        internal static float Forward(in ActivationSpec s, float xf)
        {
            double x = xf;
            switch (s.Kind)
            {
                case ActivationKind.Tanh: return (float)Math.Tanh(x);
                case ActivationKind.Sigmoid: return (float)Sigmoid(x);
                case ActivationKind.Gelu: return (float)(0.5 * x * (1.0 + TorchMath.Erf(x * InvSqrt2)));
                case ActivationKind.Silu: return (float)(x * Sigmoid(x));
                case ActivationKind.Elu: return (float)(s.P1 * (x > 0 ? x : s.P0 * Expm1(x)));
                case ActivationKind.Softplus:
                {
                    float bx = xf * s.P0; // rounded to float, as the kernel compares it
                    return bx > s.P1 ? xf : (float)(Log1pExp(bx) / s.P0);
                }
                default: throw new ArgumentOutOfRangeException(nameof(s), s.Kind, "Not a smooth activation.");
            }
        }

        internal static float Backward(in ActivationSpec s, float xf, float dyf)
        {
            double x = xf, dy = dyf;
            switch (s.Kind)
            {
                case ActivationKind.Tanh:
                {
                    double t = Math.Tanh(x);
                    return (float)(dy * (1.0 - t * t));
                }
                case ActivationKind.Sigmoid:
                {
                    double g = Sigmoid(x);
                    return (float)(dy * g * (1.0 - g));
                }
                case ActivationKind.Gelu:
                {
                    // d/dx x·Φ(x) = Φ(x) + x·φ(x)
                    double cdf = 0.5 * (1.0 + TorchMath.Erf(x * InvSqrt2));
                    return (float)(dy * (cdf + x * InvSqrt2Pi * Math.Exp(-0.5 * x * x)));
                }
                case ActivationKind.Silu:
                {
                    double g = Sigmoid(x);
                    return (float)(dy * g * (1.0 + x * (1.0 - g)));
                }
                case ActivationKind.Elu: return (float)(x > 0 ? dy * s.P1 : dy * s.P1 * s.P0 * Math.Exp(x));
                case ActivationKind.Softplus:
                {
                    float bx = xf * s.P0;
                    return bx > s.P1 ? dyf : (float)(dy * Sigmoid(bx));
                }
                default: throw new ArgumentOutOfRangeException(nameof(s), s.Kind, "Not a smooth activation.");
            }
        }

        /// <summary>1/(1 + e^−x), without overflow for large |x|.</summary>
        internal static double Sigmoid(double x)
        {
            if (x >= 0) return 1.0 / (1.0 + Math.Exp(-x));
            double e = Math.Exp(x);
            return e / (1.0 + e);
        }

        /// <summary>e^x − 1 accurate near 0 (Kahan's trick; .NET Standard 2.1 has no expm1).</summary>
        internal static double Expm1(double x)
        {
            if (Math.Abs(x) >= 0.5) return Math.Exp(x) - 1.0;
            double u = Math.Exp(x);
            if (u == 1.0) return x;
            double um1 = u - 1.0;
            return um1 == -1.0 ? -1.0 : um1 * x / Math.Log(u);
        }

        /// <summary>log(1 + e^x) without overflow, accurate for large negative x.</summary>
        internal static double Log1pExp(double x)
        {
            if (x > 30) return x + Math.Exp(-x);
            double u = Math.Exp(x), w = 1.0 + u;
            return w == 1.0 ? u : Math.Log(w) * u / (w - 1.0);
        }
    }
}
