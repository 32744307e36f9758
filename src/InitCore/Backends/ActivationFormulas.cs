using InitCore.Randomness;

namespace InitCore.Backends
{
    /// <summary>
    /// What each <see cref="ActivationSpec"/> computes, one element at a time: the definition every backend implements.
    /// The CPU backend's operator structs use these as their scalar forms (their vector forms beside them give the
    /// same bits), the CUDA kernels in activations.cu and elementwise.cu are checked against them, and the layers
    /// above the backends (a module's recommended gain by quadrature, the init doctor's expectations) evaluate them
    /// directly, so nothing above this layer needs a concrete backend for a scalar.
    /// </summary>
    /// <remarks>
    /// The rectifiers (ReLU, LeakyReLU, GeneralReLU) run in float32 with a fixed operation order; the smooth
    /// activations (tanh, sigmoid, GELU, SiLU, ELU/SELU, Softplus) are computed in double and rounded once.
    /// NaN propagates, as in torch.
    /// </remarks>
    internal static class ActivationFormulas
    {
        private const double InvSqrt2 = 0.70710678118654752440, InvSqrt2Pi = 0.39894228040143267794;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static float Leaky(float x, float slope) => x <= 0f ? (slope != 0f ? x * slope : 0f) : x;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static float LeakyGrad(float x, float dy, float slope) => x > 0f ? dy : (slope != 0f ? dy * slope : (x <= 0f ? 0f : dy));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static float Forward(in ActivationSpec s, float x)
        {
            if (!s.IsRectifier) return SmoothForward(s, x);
            float u = Leaky(x, s.Leak) - s.Sub;
            return s.MaxV is float m && u > m ? m : u;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static float Backward(in ActivationSpec s, float x, float dy)
        {
            if (!s.IsRectifier) return SmoothBackward(s, x, dy);
            float u = Leaky(x, s.Leak) - s.Sub;
            float g = LeakyGrad(x, dy, s.Leak);
            return s.MaxV is float m && !(u <= m) ? 0f : g;
        }

        private static float SmoothForward(in ActivationSpec s, float xf)
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

        private static float SmoothBackward(in ActivationSpec s, float xf, float dyf)
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
