using InitCore.Interop.Native;

namespace InitCore.Interop.CudaDriver
{
    /// <summary>A CUDA driver call failed. Carries the CUresult name and code and the failing call.</summary>
    public class CudaException : NativeCallException
    {
        /// <summary>Creates the exception.</summary>
        public CudaException(int code, string statusName, string call, string message) : base(code, statusName, call, message)
        {
        }
    }

    /// <summary>
    /// A sticky CUDA error (CUDA_ERROR_ILLEGAL_ADDRESS 700, or 715–719: illegal instruction, misaligned
    /// address, invalid address space, invalid PC, launch failed) corrupted the device's primary context.
    /// The engine that saw it is unusable from then on and every later call throws this exception again;
    /// a new engine in the same process does not help. The process must restart.
    /// </summary>
    public sealed class CudaStickyErrorException : CudaException
    {
        /// <summary>Creates the exception.</summary>
        public CudaStickyErrorException(int code, string statusName, string call, string message) : base(code, statusName, call, message)
        {
        }
    }

    /// <summary>A device allocation failed even after the engine released its cached blocks.</summary>
    public sealed class CudaOutOfMemoryException : CudaException
    {
        /// <summary>Creates the exception.</summary>
        public CudaOutOfMemoryException(int code, string statusName, string call, string message, ulong requestedBytes, ulong freeBytes, ulong totalBytes)
            : base(code, statusName, call, message)
        {
            RequestedBytes = requestedBytes;
            FreeBytes = freeBytes;
            TotalBytes = totalBytes;
        }

        /// <summary>Bytes asked for.</summary>
        public ulong RequestedBytes { get; }

        /// <summary>Bytes free on the device when the allocation failed (cuMemGetInfo).</summary>
        public ulong FreeBytes { get; }

        /// <summary>Total device memory.</summary>
        public ulong TotalBytes { get; }
    }
}
