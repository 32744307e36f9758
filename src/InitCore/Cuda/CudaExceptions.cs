using System;
using System.Collections.Generic;

namespace InitCore.Cuda
{
    /// <summary>A call into an NVIDIA library failed: the status code and name, and the failing call.</summary>
    public abstract class NativeCallException : Exception
    {
        /// <summary>Creates the exception.</summary>
        /// <param name="code">The library's status code.</param>
        /// <param name="statusName">The status name, e.g. CUDA_ERROR_OUT_OF_MEMORY.</param>
        /// <param name="call">The failing call as written in InitCore, e.g. <c>cuMemAlloc_v2(1073741824 bytes)</c>.</param>
        /// <param name="message">The whole message.</param>
        protected NativeCallException(int code, string statusName, string call, string message) : base(message)
        {
            Code = code;
            StatusName = statusName;
            Call = call;
        }

        /// <summary>The status code.</summary>
        public int Code { get; }

        /// <summary>The status name.</summary>
        public string StatusName { get; }

        /// <summary>The call that failed.</summary>
        public string Call { get; }
    }

    /// <summary>A CUDA driver call failed. Carries the CUresult name and code and the failing call.</summary>
    public class CudaException : NativeCallException
    {
        /// <summary>Creates the exception.</summary>
        public CudaException(int code, string statusName, string call, string message) : base(code, statusName, call, message)
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

    /// <summary>A cuBLAS call failed. Carries the cublasStatus_t name and code and the failing call.</summary>
    public sealed class CublasException : NativeCallException
    {
        /// <summary>Creates the exception.</summary>
        public CublasException(int code, string statusName, string call, string message) : base(code, statusName, call, message)
        {
        }
    }

    /// <summary>A cuDNN call failed. Carries the cudnnStatus_t name and code and the failing call.</summary>
    public sealed class CudnnException : NativeCallException
    {
        /// <summary>Creates the exception.</summary>
        public CudnnException(int code, string statusName, string call, string message) : base(code, statusName, call, message)
        {
        }
    }

    /// <summary>
    /// The CUDA backend cannot be used on this machine: a library is missing or refused, or the driver
    /// reports no device. <see cref="LoadTrace"/> lists every library name and path tried, and why each failed.
    /// </summary>
    public sealed class CudaUnavailableException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public CudaUnavailableException(string reason, IReadOnlyList<string> loadTrace, Exception? inner = null)
            : base(reason + Environment.NewLine + "Load trace:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", loadTrace ?? throw new ArgumentNullException(nameof(loadTrace))), inner)
        {
            Reason = reason;
            LoadTrace = loadTrace;
        }

        /// <summary>One line: why CUDA is unavailable, e.g. "cuInit returned CUDA_ERROR_NO_DEVICE (100)".</summary>
        public string Reason { get; }

        /// <summary>Every library name and path tried, with the outcome of each.</summary>
        public IReadOnlyList<string> LoadTrace { get; }
    }
}
