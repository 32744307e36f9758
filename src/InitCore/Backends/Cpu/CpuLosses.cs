using InitCore.Threading;

namespace InitCore.Backends.Cpu
{
    // Losses, the SGD step and copies of the CPU backend (twins of CudaLosses.cs).
    internal sealed partial class CpuBackend
    {
        // ------------------------------------------------------------------ losses

        internal override double CrossEntropyForward(TensorStorage logits, TensorStorage labels, TensorStorage probs, int n, int classes)
        {
            float[] z = Array(logits), t = Array(labels), pd = Array(probs);
            ClassLabels.Check(t, n, classes); // before the parallel loop, so the ArgumentException is not wrapped
            var losses = new double[n];
            Chunks(n, classes, [MethodImpl(Jit.Hot)] (s, e) =>
            {
                for (int i = s; i < e; i++)
                {
                    int off = i * classes;
                    float max = float.NegativeInfinity;
                    for (int j = 0; j < classes; j++) max = Math.Max(max, z[off + j]);
                    double sum = 0;
                    for (int j = 0; j < classes; j++) sum += Math.Exp(z[off + j] - max);
                    double logSum = Math.Log(sum) + max;
                    for (int j = 0; j < classes; j++) pd[off + j] = (float)Math.Exp(z[off + j] - logSum);
                    losses[i] = logSum - z[off + (int)t[i]]; // a class, checked above
                }
            });
            double total = 0;
            foreach (double l in losses) total += l;
            return n > 0 ? total / n : 0.0;
        }

        internal override void CrossEntropyBackward(TensorStorage probs, TensorStorage labels, TensorStorage dlogits, int n, int classes)
        {
            float[] pd = Array(probs), t = Array(labels), d = Array(dlogits);
            float inv = 1f / n;
            for (int i = 0; i < n; i++)
            {
                int off = i * classes, label = ClassLabels.At(t, i, classes);
                for (int j = 0; j < classes; j++) d[off + j] = (pd[off + j] - (j == label ? 1f : 0f)) * inv;
            }
        }

        internal override int CountCorrect(TensorStorage logits, TensorStorage labels, int n, int classes)
        {
            float[] z = Array(logits), t = Array(labels);
            int correct = 0;
            for (int i = 0; i < n; i++)
            {
                int off = i * classes, arg = 0;
                for (int j = 1; j < classes; j++) if (z[off + j] > z[off + arg]) arg = j;
                if (arg == (int)t[i]) correct++;
            }
            return correct;
        }

        internal override double MseForward(TensorStorage x, TensorStorage target)
        {
            float[] a = Array(x), b = Array(target);
            double sum = 0;
            for (int i = 0; i < a.Length; i++) { double d = a[i] - b[i]; sum += d * d; }
            return a.Length > 0 ? sum / a.Length : 0.0;
        }

        internal override void MseBackward(TensorStorage x, TensorStorage target, TensorStorage dx)
        {
            float[] a = Array(x), b = Array(target), d = Array(dx);
            float scale = 2f / a.Length;
            for (int i = 0; i < a.Length; i++) d[i] = (a[i] - b[i]) * scale;
        }

        // ------------------------------------------------------------------ optimizer, copies

        internal override void SgdStep(TensorStorage p, TensorStorage g, TensorStorage buf, float lr, float momentum, float weightDecay, bool first)
        {
            float[] pd = Array(p), gd = Array(g), bd = Array(buf);
            CpuPartitioner.For(Workers, ThreadCount, pd.Length, ElementwiseLoop.Grain, [MethodImpl(Jit.Hot)] (s, e) =>
            {
                for (int i = s; i < e; i++)
                {
                    float d = weightDecay != 0f ? gd[i] + weightDecay * pd[i] : gd[i];
                    if (momentum != 0f)
                    {
                        bd[i] = first ? d : momentum * bd[i] + d;
                        d = bd[i];
                    }
                    pd[i] = pd[i] - lr * d;
                }
            });
        }

        internal override void Copy(TensorStorage source, TensorStorage destination) => Array(source).AsSpan().CopyTo(Array(destination));
    }
}
