using InitCore.Interop.Native;
using cudaStream_t = System.IntPtr;
using cudnnHandle_t = System.IntPtr;

namespace InitCore.Interop.Cudnn
{
    /// <summary>
    /// The cuDNN binding (cuDNN 9, else 8: <c>CudaLibraries.CudnnNames</c>): raw exports named exactly as
    /// exported, which return the status (cudnnStatus_t as an int: cuDNN 9 renumbered the codes, see
    /// <see cref="CudnnStatusInfo"/>); status-returning wrappers for the handle (<see cref="Create"/>,
    /// <see cref="Destroy"/>, <see cref="SetStream"/>); and <see cref="ThrowIfFailed"/>, which turns a failed status
    /// into a <c>CudnnException</c> naming the status and the call.
    /// </summary>
    /// <remarks>
    /// Bound: version, handle lifetime and stream, error strings; 4-d NCHW float tensor and filter descriptors and
    /// 2-d convolution descriptors (with group count, and math type: TF32 on or off); and for each of forward, backward-data
    /// and backward-filter: the _v7 algorithm query, the workspace size and the convolution itself. Every export but
    /// <c>cudnnGetLastErrorString</c> is required: a library without one is refused (<see cref="NativeBinding.MissingSymbols"/>, which
    /// the load trace lists). Callers: <c>CudaBackend</c> (handle and stream), <c>CudnnConvPlan</c> (descriptors,
    /// algorithms, workspace sizes, math type) and <c>CudaConvolution</c> (the three convolutions).
    /// </remarks>
#pragma warning disable CA1707, IDE1006
    internal sealed unsafe class CudnnApi : NativeBinding
    {
        internal readonly delegate* unmanaged[Cdecl]<nuint> cudnnGetVersion;
        internal readonly delegate* unmanaged[Cdecl]<cudnnHandle_t*, int> cudnnCreate;
        internal readonly delegate* unmanaged[Cdecl]<cudnnHandle_t, int> cudnnDestroy;
        internal readonly delegate* unmanaged[Cdecl]<cudnnHandle_t, cudaStream_t, int> cudnnSetStream;
        internal readonly delegate* unmanaged[Cdecl]<int, byte*> cudnnGetErrorString;

        /// <summary><c>void cudnnGetLastErrorString(char*, size_t)</c>: cuDNN 9 only, so optional (null on cuDNN 8).</summary>
        internal readonly delegate* unmanaged[Cdecl]<byte*, nuint, void> cudnnGetLastErrorString;
        internal readonly delegate* unmanaged[Cdecl]<IntPtr*, int> cudnnCreateTensorDescriptor;
        internal readonly delegate* unmanaged[Cdecl]<IntPtr, int, int, int, int, int, int, int> cudnnSetTensor4dDescriptor;
        internal readonly delegate* unmanaged[Cdecl]<IntPtr, int> cudnnDestroyTensorDescriptor;
        internal readonly delegate* unmanaged[Cdecl]<IntPtr*, int> cudnnCreateFilterDescriptor;
        internal readonly delegate* unmanaged[Cdecl]<IntPtr, int, int, int, int, int, int, int> cudnnSetFilter4dDescriptor;
        internal readonly delegate* unmanaged[Cdecl]<IntPtr, int> cudnnDestroyFilterDescriptor;
        internal readonly delegate* unmanaged[Cdecl]<IntPtr*, int> cudnnCreateConvolutionDescriptor;
        internal readonly delegate* unmanaged[Cdecl]<IntPtr, int, int, int, int, int, int, int, int, int> cudnnSetConvolution2dDescriptor;
        internal readonly delegate* unmanaged[Cdecl]<IntPtr, int, int> cudnnSetConvolutionGroupCount;
        internal readonly delegate* unmanaged[Cdecl]<IntPtr, int, int> cudnnSetConvolutionMathType;
        internal readonly delegate* unmanaged[Cdecl]<IntPtr, int> cudnnDestroyConvolutionDescriptor;
        internal readonly delegate* unmanaged[Cdecl]<cudnnHandle_t, IntPtr, IntPtr, IntPtr, IntPtr, int, int*, cudnnConvolutionPerf_t*, int> cudnnGetConvolutionForwardAlgorithm_v7;
        internal readonly delegate* unmanaged[Cdecl]<cudnnHandle_t, IntPtr, IntPtr, IntPtr, IntPtr, int, nuint*, int> cudnnGetConvolutionForwardWorkspaceSize;
        internal readonly delegate* unmanaged[Cdecl]<cudnnHandle_t, void*, IntPtr, void*, IntPtr, void*, IntPtr, int, void*, nuint, void*, IntPtr, void*, int> cudnnConvolutionForward;
        internal readonly delegate* unmanaged[Cdecl]<cudnnHandle_t, IntPtr, IntPtr, IntPtr, IntPtr, int, int*, cudnnConvolutionPerf_t*, int> cudnnGetConvolutionBackwardDataAlgorithm_v7;
        internal readonly delegate* unmanaged[Cdecl]<cudnnHandle_t, IntPtr, IntPtr, IntPtr, IntPtr, int, nuint*, int> cudnnGetConvolutionBackwardDataWorkspaceSize;
        internal readonly delegate* unmanaged[Cdecl]<cudnnHandle_t, void*, IntPtr, void*, IntPtr, void*, IntPtr, int, void*, nuint, void*, IntPtr, void*, int> cudnnConvolutionBackwardData;
        internal readonly delegate* unmanaged[Cdecl]<cudnnHandle_t, IntPtr, IntPtr, IntPtr, IntPtr, int, int*, cudnnConvolutionPerf_t*, int> cudnnGetConvolutionBackwardFilterAlgorithm_v7;
        internal readonly delegate* unmanaged[Cdecl]<cudnnHandle_t, IntPtr, IntPtr, IntPtr, IntPtr, int, nuint*, int> cudnnGetConvolutionBackwardFilterWorkspaceSize;
        internal readonly delegate* unmanaged[Cdecl]<cudnnHandle_t, void*, IntPtr, void*, IntPtr, void*, IntPtr, int, void*, nuint, void*, IntPtr, void*, int> cudnnConvolutionBackwardFilter;

        internal CudnnApi(IntPtr library, string path) : base(library, path)
        {
            cudnnGetVersion = (delegate* unmanaged[Cdecl]<nuint>)Exports.Need(nameof(cudnnGetVersion));
            cudnnCreate = (delegate* unmanaged[Cdecl]<cudnnHandle_t*, int>)Exports.Need(nameof(cudnnCreate));
            cudnnDestroy = (delegate* unmanaged[Cdecl]<cudnnHandle_t, int>)Exports.Need(nameof(cudnnDestroy));
            cudnnSetStream = (delegate* unmanaged[Cdecl]<cudnnHandle_t, cudaStream_t, int>)Exports.Need(nameof(cudnnSetStream));
            cudnnGetErrorString = (delegate* unmanaged[Cdecl]<int, byte*>)Exports.Need(nameof(cudnnGetErrorString));
            cudnnCreateTensorDescriptor = (delegate* unmanaged[Cdecl]<IntPtr*, int>)Exports.Need(nameof(cudnnCreateTensorDescriptor));
            cudnnSetTensor4dDescriptor = (delegate* unmanaged[Cdecl]<IntPtr, int, int, int, int, int, int, int>)Exports.Need(nameof(cudnnSetTensor4dDescriptor));
            cudnnDestroyTensorDescriptor = (delegate* unmanaged[Cdecl]<IntPtr, int>)Exports.Need(nameof(cudnnDestroyTensorDescriptor));
            cudnnCreateFilterDescriptor = (delegate* unmanaged[Cdecl]<IntPtr*, int>)Exports.Need(nameof(cudnnCreateFilterDescriptor));
            cudnnSetFilter4dDescriptor = (delegate* unmanaged[Cdecl]<IntPtr, int, int, int, int, int, int, int>)Exports.Need(nameof(cudnnSetFilter4dDescriptor));
            cudnnDestroyFilterDescriptor = (delegate* unmanaged[Cdecl]<IntPtr, int>)Exports.Need(nameof(cudnnDestroyFilterDescriptor));
            cudnnCreateConvolutionDescriptor = (delegate* unmanaged[Cdecl]<IntPtr*, int>)Exports.Need(nameof(cudnnCreateConvolutionDescriptor));
            cudnnSetConvolution2dDescriptor = (delegate* unmanaged[Cdecl]<IntPtr, int, int, int, int, int, int, int, int, int>)Exports.Need(nameof(cudnnSetConvolution2dDescriptor));
            cudnnSetConvolutionGroupCount = (delegate* unmanaged[Cdecl]<IntPtr, int, int>)Exports.Need(nameof(cudnnSetConvolutionGroupCount));
            cudnnSetConvolutionMathType = (delegate* unmanaged[Cdecl]<IntPtr, int, int>)Exports.Need(nameof(cudnnSetConvolutionMathType));
            cudnnDestroyConvolutionDescriptor = (delegate* unmanaged[Cdecl]<IntPtr, int>)Exports.Need(nameof(cudnnDestroyConvolutionDescriptor));
            cudnnGetConvolutionForwardAlgorithm_v7 = (delegate* unmanaged[Cdecl]<cudnnHandle_t, IntPtr, IntPtr, IntPtr, IntPtr, int, int*, cudnnConvolutionPerf_t*, int>)Exports.Need(nameof(cudnnGetConvolutionForwardAlgorithm_v7));
            cudnnGetConvolutionForwardWorkspaceSize = (delegate* unmanaged[Cdecl]<cudnnHandle_t, IntPtr, IntPtr, IntPtr, IntPtr, int, nuint*, int>)Exports.Need(nameof(cudnnGetConvolutionForwardWorkspaceSize));
            cudnnConvolutionForward = (delegate* unmanaged[Cdecl]<cudnnHandle_t, void*, IntPtr, void*, IntPtr, void*, IntPtr, int, void*, nuint, void*, IntPtr, void*, int>)Exports.Need(nameof(cudnnConvolutionForward));
            cudnnGetConvolutionBackwardDataAlgorithm_v7 = (delegate* unmanaged[Cdecl]<cudnnHandle_t, IntPtr, IntPtr, IntPtr, IntPtr, int, int*, cudnnConvolutionPerf_t*, int>)Exports.Need(nameof(cudnnGetConvolutionBackwardDataAlgorithm_v7));
            cudnnGetConvolutionBackwardDataWorkspaceSize = (delegate* unmanaged[Cdecl]<cudnnHandle_t, IntPtr, IntPtr, IntPtr, IntPtr, int, nuint*, int>)Exports.Need(nameof(cudnnGetConvolutionBackwardDataWorkspaceSize));
            cudnnConvolutionBackwardData = (delegate* unmanaged[Cdecl]<cudnnHandle_t, void*, IntPtr, void*, IntPtr, void*, IntPtr, int, void*, nuint, void*, IntPtr, void*, int>)Exports.Need(nameof(cudnnConvolutionBackwardData));
            cudnnGetConvolutionBackwardFilterAlgorithm_v7 = (delegate* unmanaged[Cdecl]<cudnnHandle_t, IntPtr, IntPtr, IntPtr, IntPtr, int, int*, cudnnConvolutionPerf_t*, int>)Exports.Need(nameof(cudnnGetConvolutionBackwardFilterAlgorithm_v7));
            cudnnGetConvolutionBackwardFilterWorkspaceSize = (delegate* unmanaged[Cdecl]<cudnnHandle_t, IntPtr, IntPtr, IntPtr, IntPtr, int, nuint*, int>)Exports.Need(nameof(cudnnGetConvolutionBackwardFilterWorkspaceSize));
            cudnnConvolutionBackwardFilter = (delegate* unmanaged[Cdecl]<cudnnHandle_t, void*, IntPtr, void*, IntPtr, void*, IntPtr, int, void*, nuint, void*, IntPtr, void*, int>)Exports.Need(nameof(cudnnConvolutionBackwardFilter));
            cudnnGetLastErrorString = (delegate* unmanaged[Cdecl]<byte*, nuint, void>)LibraryLoader.Symbol(library, nameof(cudnnGetLastErrorString));
        }

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

        internal string Describe(int status) => Utf8(cudnnGetErrorString(status));

        /// <summary>cuDNN 9's description of the last failure on this thread (cudnnGetLastErrorString), or "" (cuDNN 8, or nothing recorded).</summary>
        internal string LastError()
        {
            if (cudnnGetLastErrorString == null) return "";
            const int size = 1024;
            byte* buffer = stackalloc byte[size];
            buffer[0] = 0;
            cudnnGetLastErrorString(buffer, size);
            buffer[size - 1] = 0;
            return Utf8(buffer).Trim();
        }

        /// <summary>Throws a <see cref="CudnnException"/> naming the status and <paramref name="call"/> unless <paramref name="status"/> is CUDNN_STATUS_SUCCESS (0).</summary>
        internal void ThrowIfFailed(int status, [CallerArgumentExpression("status")] string call = "")
        {
            if (status == 0) return;
            throw new CudnnException(status, CudnnStatusInfo.Name(status), call, $"{call} failed with {Explain(status)}.");
        }

        /// <summary>"NAME (code): text[; cuDNN's last error: …]" for a failed call.</summary>
        internal string Explain(int status)
        {
            string last = LastError(), text = Describe(status);
            return $"{CudnnStatusInfo.Name(status)} ({status}){(text.Length > 0 ? ": " + text : "")}{(last.Length > 0 ? "; cuDNN's last error: " + last : "")}";
        }
    }

    /// <summary>
    /// cudnnConvolutionFwdAlgoPerf_t, cudnnConvolutionBwdDataAlgoPerf_t and cudnnConvolutionBwdFilterAlgoPerf_t
    /// share this layout (48 bytes on 64-bit).
    /// </summary>
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    internal unsafe struct cudnnConvolutionPerf_t
    {
        internal int algo;
        internal int status;
        internal float time;
        internal nuint memory;
        internal int determinism;
        internal int mathType;
        internal fixed int reserved[3];
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
