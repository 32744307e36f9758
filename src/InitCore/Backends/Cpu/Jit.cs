namespace InitCore.Backends.Cpu
{
    /// <summary>The JIT options of the CPU kernels, in one place.</summary>
    internal static class Jit
    {
        /// <summary>
        /// <c>MethodImplOptions.AggressiveOptimization</c> (512), which netstandard2.1 does not name: a kernel marked
        /// <c>[MethodImpl(Jit.Hot)]</c> is compiled fully optimized on first use, skipping tier-0 code, so the first
        /// calls of a run (and per-chunk bodies called once per task) are not slowed by unoptimized code.
        /// </summary>
        internal const MethodImplOptions Hot = (MethodImplOptions)512;
    }
}
