namespace InitCore.Backends
{
    /// <summary>
    /// Class labels as float32 tensors hold them (<c>CrossEntropyLoss</c>'s target): each must be an integer class in
    /// 0..classes−1. One check for every backend and for the loss itself, which runs it on the caller's thread before
    /// any parallel or device work, so a bad label is always a plain <see cref="ArgumentException"/> naming
    /// <c>target</c>.
    /// </summary>
    internal static class ClassLabels
    {
        /// <summary>The class of row <paramref name="i"/>.</summary>
        /// <exception cref="ArgumentException">The label is not an integer class in 0..classes−1.</exception>
        internal static int At(float[] labels, int i, int classes)
        {
            float v = labels[i];
            int label = (int)v;
            if (label != v || label < 0 || label >= classes)
                throw new ArgumentException($"Label {v} at index {i} is not an integer class in 0..{classes - 1}.", "target");
            return label;
        }

        /// <summary>Throws <see cref="At"/>'s exception for the first of the <paramref name="n"/> labels that is not a class.</summary>
        internal static void Check(float[] labels, int n, int classes)
        {
            for (int i = 0; i < n; i++) At(labels, i, classes);
        }
    }
}
