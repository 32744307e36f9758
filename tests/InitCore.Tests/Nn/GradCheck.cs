using System;
using System.Linq;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Nn
{
    /// <summary>
    /// Finite-difference gradient checks on the CPU: L = Σ y·r for a fixed random r, central differences
    /// with step h on sampled input and parameter elements, compared with backward's gradients.
    /// Tolerance: |analytic − numeric| ≤ 2e-2·max(1, |numeric|) (float32 forward passes).
    /// </summary>
    internal static class GradCheck
    {
        internal static double Loss(Module m, Tensor x, float[] r)
        {
            using Tensor y = m.Forward(x);
            float[] yd = y.ToArray();
            double l = 0;
            for (int i = 0; i < yd.Length; i++) l += (double)yd[i] * r[i];
            return l;
        }

        internal static void Check(Engine e, Module m, float[] input, int[] shape, double h = 1e-2, int samples = 24, int seed = 1)
        {
            var rng = new Random(seed);
            using Tensor x = e.CreateTensor(input, shape);
            Tensor y0 = m.Forward(x);
            float[] r = Enumerable.Range(0, (int)y0.Length).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
            m.ZeroGrad();
            using Tensor gy = e.CreateTensor(r, y0.ShapeArray);
            m.Forward(x);
            float[] dx = m.Backward(gy).ToArray();

            void Compare(string what, double analytic, Func<double> plus, Func<double> minus)
            {
                double numeric = (plus() - minus()) / (2 * h);
                double tol = 2e-2 * Math.Max(1, Math.Abs(numeric));
                Assert.AreEqual(numeric, analytic, tol, $"{m.Describe()}: {what}: analytic {analytic}, numeric {numeric}");
            }

            for (int s = 0; s < samples; s++)
            {
                int i = rng.Next(input.Length);
                float[] xp = (float[])input.Clone(), xm = (float[])input.Clone();
                xp[i] += (float)h;
                xm[i] -= (float)h;
                Compare($"d/dx[{i}]", dx[i],
                    () => { using var t = e.CreateTensor(xp, shape); return Loss(m, t, r); },
                    () => { using var t = e.CreateTensor(xm, shape); return Loss(m, t, r); });
            }
            foreach (var (name, p) in m.NamedParameters().ToList())
            {
                float[] grad = p.Grad.ToArray();
                float[] value = p.Value.ToArray();
                for (int s = 0; s < Math.Min(samples, value.Length); s++)
                {
                    int i = rng.Next(value.Length);
                    float[] vp = (float[])value.Clone(), vm = (float[])value.Clone();
                    vp[i] += (float)h;
                    vm[i] -= (float)h;
                    Compare($"d/d{name}[{i}]", grad[i],
                        () => { p.Value.CopyFrom(vp); return Loss(m, x, r); },
                        () => { p.Value.CopyFrom(vm); return Loss(m, x, r); });
                    p.Value.CopyFrom(value);
                }
            }
        }

        internal static float[] Normal(int n, int seed)
        {
            var rng = new Random(seed);
            return Enumerable.Range(0, n).Select(_ => (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()))).ToArray();
        }
    }
}
