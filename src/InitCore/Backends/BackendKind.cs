namespace InitCore.Backends
{
    /// <summary>Which compute backend an <see cref="Engine"/> uses.</summary>
    public enum BackendKind
    {
        /// <summary>CUDA when it is usable on this machine, otherwise the CPU; <see cref="Engine.BackendReason"/> says which and why.</summary>
        Auto,
        /// <summary>The multithreaded, SIMD-vectorized CPU backend: the reference implementation.</summary>
        Cpu,
        /// <summary>An NVIDIA GPU through our own bindings to the driver API, cuBLAS and cuDNN. Engine creation throws <see cref="Interop.CudaUnavailableException"/>, with the load trace, when it is not usable.</summary>
        Cuda,
    }
}
