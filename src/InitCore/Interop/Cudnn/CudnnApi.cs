using System;
using System.Collections.Generic;
using cudaStream_t = System.IntPtr;
using cudnnHandle_t = System.IntPtr;

namespace InitCore.Interop.Cudnn
{
    /// <summary>
    /// Layer 1 and 2 of the cuDNN binding: raw exports named exactly as exported, and wrappers that return
    /// the status (cudnnStatus_t as an int: cuDNN 9 renumbered the codes, see <see cref="CudnnStatusInfo"/>).
    /// Bound now: version, handle lifetime, stream, error strings. The convolution calls join with the layers.
    /// </summary>
#pragma warning disable CA1707, IDE1006
    internal sealed unsafe class CudnnApi
    {
        internal readonly delegate* unmanaged[Cdecl]<nuint> cudnnGetVersion;
        internal readonly delegate* unmanaged[Cdecl]<cudnnHandle_t*, int> cudnnCreate;
        internal readonly delegate* unmanaged[Cdecl]<cudnnHandle_t, int> cudnnDestroy;
        internal readonly delegate* unmanaged[Cdecl]<cudnnHandle_t, cudaStream_t, int> cudnnSetStream;
        internal readonly delegate* unmanaged[Cdecl]<int, byte*> cudnnGetErrorString;

        internal CudnnApi(IntPtr library, string path)
        {
            Path = path;
            var missing = new List<string>();
            IntPtr Need(string name)
            {
                IntPtr p = LibraryLoader.Symbol(library, name);
                if (p == IntPtr.Zero) missing.Add(name);
                return p;
            }
            cudnnGetVersion = (delegate* unmanaged[Cdecl]<nuint>)Need(nameof(cudnnGetVersion));
            cudnnCreate = (delegate* unmanaged[Cdecl]<cudnnHandle_t*, int>)Need(nameof(cudnnCreate));
            cudnnDestroy = (delegate* unmanaged[Cdecl]<cudnnHandle_t, int>)Need(nameof(cudnnDestroy));
            cudnnSetStream = (delegate* unmanaged[Cdecl]<cudnnHandle_t, cudaStream_t, int>)Need(nameof(cudnnSetStream));
            cudnnGetErrorString = (delegate* unmanaged[Cdecl]<int, byte*>)Need(nameof(cudnnGetErrorString));
            MissingSymbols = missing;
        }

        internal string Path { get; }

        internal IReadOnlyList<string> MissingSymbols { get; }

        /// <summary>e.g. 90100 for cuDNN 9.1.0 (8.x: major·1000 + minor·100 + patch).</summary>
        internal long Version => (long)cudnnGetVersion();

        internal int Create(out cudnnHandle_t handle)
        {
            cudnnHandle_t h;
            int s = cudnnCreate(&h);
            handle = h;
            return s;
        }

        internal int Destroy(cudnnHandle_t handle) => cudnnDestroy(handle);

        internal int SetStream(cudnnHandle_t handle, cudaStream_t stream) => cudnnSetStream(handle, stream);

        internal string Describe(int status) => Cuda.CudaDriverApi.Utf8(cudnnGetErrorString(status));
    }

    /// <summary>
    /// Names of cudnnStatus_t codes. cuDNN 8 numbered them 0–14; cuDNN 9 groups them by category
    /// (1xxx initialization and version, 2xxx bad parameter, 3xxx not supported, 4xxx internal error,
    /// 5xxx execution failed).
    /// </summary>
    internal static class CudnnStatusInfo
    {
        private static readonly string[] V8 =
        {
            "CUDNN_STATUS_SUCCESS", "CUDNN_STATUS_NOT_INITIALIZED", "CUDNN_STATUS_ALLOC_FAILED", "CUDNN_STATUS_BAD_PARAM",
            "CUDNN_STATUS_INTERNAL_ERROR", "CUDNN_STATUS_INVALID_VALUE", "CUDNN_STATUS_ARCH_MISMATCH", "CUDNN_STATUS_MAPPING_ERROR",
            "CUDNN_STATUS_EXECUTION_FAILED", "CUDNN_STATUS_NOT_SUPPORTED", "CUDNN_STATUS_LICENSE_ERROR",
            "CUDNN_STATUS_RUNTIME_PREREQUISITE_MISSING", "CUDNN_STATUS_RUNTIME_IN_PROGRESS", "CUDNN_STATUS_RUNTIME_FP_OVERFLOW",
            "CUDNN_STATUS_VERSION_MISMATCH",
        };

        internal static string Name(int code) => code switch
        {
            0 => "CUDNN_STATUS_SUCCESS",
            > 0 and < 15 => V8[code],
            1001 => "CUDNN_STATUS_NOT_INITIALIZED",
            1002 => "CUDNN_STATUS_SUBLIBRARY_VERSION_MISMATCH",
            1003 => "CUDNN_STATUS_SERIALIZATION_VERSION_MISMATCH",
            1004 => "CUDNN_STATUS_DEPRECATED",
            1005 => "CUDNN_STATUS_LICENSE_ERROR",
            1006 => "CUDNN_STATUS_RUNTIME_IN_PROGRESS",
            1007 => "CUDNN_STATUS_RUNTIME_FP_OVERFLOW",
            1008 => "CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED",
            2000 => "CUDNN_STATUS_BAD_PARAM",
            2002 => "CUDNN_STATUS_BAD_PARAM_NULL_POINTER",
            3000 => "CUDNN_STATUS_NOT_SUPPORTED",
            4000 => "CUDNN_STATUS_INTERNAL_ERROR",
            5000 => "CUDNN_STATUS_EXECUTION_FAILED",
            >= 1000 and < 2000 => $"CUDNN_STATUS_NOT_INITIALIZED ({code})",
            >= 2000 and < 3000 => $"CUDNN_STATUS_BAD_PARAM ({code})",
            >= 3000 and < 4000 => $"CUDNN_STATUS_NOT_SUPPORTED ({code})",
            >= 4000 and < 5000 => $"CUDNN_STATUS_INTERNAL_ERROR ({code})",
            >= 5000 and < 6000 => $"CUDNN_STATUS_EXECUTION_FAILED ({code})",
            _ => $"cudnnStatus_t {code}",
        };
    }
#pragma warning restore CA1707, IDE1006
}
