using InitCore.Interop.Native;
using cublasHandle_t = System.IntPtr;
using cudaStream_t = System.IntPtr;

namespace InitCore.Interop.Cublas
{
    /// <summary>cuBLAS status codes (cublas_api.h <c>cublasStatus_t</c>).</summary>
#pragma warning disable CA1707, IDE1006
    internal enum cublasStatus_t
    {
        CUBLAS_STATUS_SUCCESS = 0,
        CUBLAS_STATUS_NOT_INITIALIZED = 1,
        CUBLAS_STATUS_ALLOC_FAILED = 3,
        CUBLAS_STATUS_INVALID_VALUE = 7,
        CUBLAS_STATUS_ARCH_MISMATCH = 8,
        CUBLAS_STATUS_MAPPING_ERROR = 11,
        CUBLAS_STATUS_EXECUTION_FAILED = 13,
        CUBLAS_STATUS_INTERNAL_ERROR = 14,
        CUBLAS_STATUS_NOT_SUPPORTED = 15,
        CUBLAS_STATUS_LICENSE_ERROR = 16,
    }

    /// <summary>
    /// Layer 1 and 2 of the cuBLAS binding: raw exports named exactly as exported, and wrappers that
    /// return the status. Bound: handle lifetime, stream and workspace, math mode, version queries, SGEMM.
    /// </summary>
    internal sealed unsafe class CublasApi : NativeBinding
    {
        internal readonly delegate* unmanaged[Cdecl]<cublasHandle_t*, cublasStatus_t> cublasCreate_v2;
        internal readonly delegate* unmanaged[Cdecl]<cublasHandle_t, cublasStatus_t> cublasDestroy_v2;
        internal readonly delegate* unmanaged[Cdecl]<cublasHandle_t, cudaStream_t, cublasStatus_t> cublasSetStream_v2;
        internal readonly delegate* unmanaged[Cdecl]<cublasHandle_t, void*, nuint, cublasStatus_t> cublasSetWorkspace_v2;
        internal readonly delegate* unmanaged[Cdecl]<cublasHandle_t, int, cublasStatus_t> cublasSetMathMode;
        internal readonly delegate* unmanaged[Cdecl]<int, int*, cublasStatus_t> cublasGetProperty;
        internal readonly delegate* unmanaged[Cdecl]<nuint> cublasGetCudartVersion;
        internal readonly delegate* unmanaged[Cdecl]<cublasHandle_t, int, int, int, int, int, float*, float*, int, float*, int, float*, float*, int, cublasStatus_t> cublasSgemm_v2;
        internal readonly delegate* unmanaged[Cdecl]<cublasStatus_t, byte*> cublasGetStatusName;

        internal CublasApi(IntPtr library, string path) : base(library, path)
        {
            cublasCreate_v2 = (delegate* unmanaged[Cdecl]<cublasHandle_t*, cublasStatus_t>)Exports.Need(nameof(cublasCreate_v2));
            cublasDestroy_v2 = (delegate* unmanaged[Cdecl]<cublasHandle_t, cublasStatus_t>)Exports.Need(nameof(cublasDestroy_v2));
            cublasSetStream_v2 = (delegate* unmanaged[Cdecl]<cublasHandle_t, cudaStream_t, cublasStatus_t>)Exports.Need(nameof(cublasSetStream_v2));
            cublasSetWorkspace_v2 = (delegate* unmanaged[Cdecl]<cublasHandle_t, void*, nuint, cublasStatus_t>)Exports.Need(nameof(cublasSetWorkspace_v2));
            cublasSetMathMode = (delegate* unmanaged[Cdecl]<cublasHandle_t, int, cublasStatus_t>)Exports.Need(nameof(cublasSetMathMode));
            cublasGetProperty = (delegate* unmanaged[Cdecl]<int, int*, cublasStatus_t>)Exports.Need(nameof(cublasGetProperty));
            cublasGetCudartVersion = (delegate* unmanaged[Cdecl]<nuint>)Exports.Need(nameof(cublasGetCudartVersion));
            cublasSgemm_v2 = (delegate* unmanaged[Cdecl]<cublasHandle_t, int, int, int, int, int, float*, float*, int, float*, int, float*, float*, int, cublasStatus_t>)Exports.Need(nameof(cublasSgemm_v2));
            // Optional: added in cuBLAS 11.4.2; our own table names the status otherwise.
            cublasGetStatusName = (delegate* unmanaged[Cdecl]<cublasStatus_t, byte*>)LibraryLoader.Symbol(library, nameof(cublasGetStatusName));
        }

        // ------------------------------------------------------------ layer 2

        internal cublasStatus_t GetVersion(out int major, out int minor, out int patch)
        {
            int a, b, c;
            cublasStatus_t s = cublasGetProperty(0, &a);
            if (s == cublasStatus_t.CUBLAS_STATUS_SUCCESS) s = cublasGetProperty(1, &b); else b = 0;
            if (s == cublasStatus_t.CUBLAS_STATUS_SUCCESS) s = cublasGetProperty(2, &c); else c = 0;
            major = a; minor = b; patch = c;
            return s;
        }

        /// <summary>The CUDA runtime version cuBLAS was built for, e.g. 13000 or 12080.</summary>
        internal int CudartVersion => (int)cublasGetCudartVersion();

        internal cublasStatus_t Create(out cublasHandle_t handle)
        {
            cublasHandle_t h;
            cublasStatus_t s = cublasCreate_v2(&h);
            handle = h;
            return s;
        }

        internal cublasStatus_t Destroy(cublasHandle_t handle) => cublasDestroy_v2(handle);

        internal cublasStatus_t SetStream(cublasHandle_t handle, cudaStream_t stream) => cublasSetStream_v2(handle, stream);

        internal cublasStatus_t SetWorkspace(cublasHandle_t handle, ulong workspace, ulong bytes) => cublasSetWorkspace_v2(handle, (void*)workspace, (nuint)bytes);

        internal cublasStatus_t SetMathMode(cublasHandle_t handle, int mode) => cublasSetMathMode(handle, mode);

        /// <summary>Column-major C = alpha·op(A)·op(B) + beta·C with device pointers; alpha and beta on the host.</summary>
        internal cublasStatus_t Sgemm(cublasHandle_t handle, bool transA, bool transB, int m, int n, int k, float alpha,
                                      ulong a, int lda, ulong b, int ldb, float beta, ulong c, int ldc)
            => cublasSgemm_v2(handle, transA ? 1 : 0, transB ? 1 : 0, m, n, k, &alpha, (float*)a, lda, (float*)b, ldb, &beta, (float*)c, ldc);

        /// <summary>Throws a <see cref="CublasException"/> naming the status and <paramref name="call"/> unless <paramref name="status"/> is CUBLAS_STATUS_SUCCESS.</summary>
        internal void ThrowIfFailed(cublasStatus_t status, [CallerArgumentExpression("status")] string call = "")
        {
            if (status == cublasStatus_t.CUBLAS_STATUS_SUCCESS) return;
            string name = StatusName(status);
            throw new CublasException((int)status, name, call, $"{call} failed with {name} ({(int)status}).");
        }

        internal string StatusName(cublasStatus_t status)
        {
            if (cublasGetStatusName != null)
            {
                byte* p = cublasGetStatusName(status);
                if (p != null) return Utf8(p);
            }
            return CublasStatusInfo.Name((int)status);
        }
    }

    internal static class CublasStatusInfo
    {
        internal static string Name(int code) =>
            Enum.IsDefined(typeof(cublasStatus_t), code) ? ((cublasStatus_t)code).ToString() : $"cublasStatus_t {code}";
    }
#pragma warning restore CA1707, IDE1006
}
