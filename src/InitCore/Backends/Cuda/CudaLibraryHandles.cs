using InitCore.Interop.Cublas;
using InitCore.Interop.Cudnn;

namespace InitCore.Backends.Cuda
{
    /// <summary>
    /// The engine's cuBLAS handle, bound to its stream, with a 32 MiB workspace from the pool and the math mode
    /// (no TF32 unless asked). Owns the handle; <see cref="Dispose"/> destroys it once (idempotent, thread-safe). The
    /// workspace block stays the pool's (freed with it). Create and dispose with the context current.
    /// </summary>
    internal sealed class CublasHandle : IDisposable
    {
        private const ulong WorkspaceBytes = 32UL << 20;
        private const int CUBLAS_DEFAULT_MATH = 0, CUBLAS_TF32_TENSOR_OP_MATH = 3;

        private IntPtr _handle;

        private CublasHandle(CublasApi api) => Api = api;

        internal CublasApi Api { get; }

        internal IntPtr Handle => _handle;

        /// <summary>cublasCreate_v2, then stream, workspace and CUBLAS_DEFAULT_MATH; on failure destroys the handle and throws.</summary>
        internal static CublasHandle Create(CublasApi blas, IntPtr stream, CudaMemoryPool pool)
        {
            var h = new CublasHandle(blas);
            try
            {
                blas.ThrowIfFailed(blas.Create(out h._handle), "cublasCreate_v2");
                blas.ThrowIfFailed(blas.SetStream(h._handle, stream), "cublasSetStream_v2");
                ulong workspace = pool.Allocate(WorkspaceBytes);
                blas.ThrowIfFailed(blas.SetWorkspace(h._handle, workspace, WorkspaceBytes), "cublasSetWorkspace_v2(32 MiB)");
                blas.ThrowIfFailed(blas.SetMathMode(h._handle, CUBLAS_DEFAULT_MATH /* no TF32 */), "cublasSetMathMode(CUBLAS_DEFAULT_MATH)");
                return h;
            }
            catch
            {
                h.Dispose();
                throw;
            }
        }

        /// <summary>TF32 tensor-op math when <paramref name="allow"/>, the default (FP32) math otherwise.</summary>
        internal void SetTf32(bool allow) =>
            Api.ThrowIfFailed(Api.SetMathMode(_handle, allow ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH), "cublasSetMathMode");

        public void Dispose()
        {
            IntPtr h = Interlocked.Exchange(ref _handle, IntPtr.Zero);
            if (h != IntPtr.Zero) Api.Destroy(h);
        }
    }

    /// <summary>
    /// The engine's cuDNN handle, bound to its stream. cuDNN is optional: <see cref="TryCreate"/> returns null with the
    /// reason when setup fails. Owns the handle; <see cref="Dispose"/> destroys it once (idempotent, thread-safe).
    /// </summary>
    internal sealed class CudnnHandle : IDisposable
    {
        private IntPtr _handle;

        private CudnnHandle(CudnnApi api, IntPtr handle)
        {
            Api = api;
            _handle = handle;
        }

        internal CudnnApi Api { get; }

        internal IntPtr Handle => _handle;

        /// <summary>
        /// cudnnCreate and cudnnSetStream, or null with <paramref name="reason"/> saying which call failed, with which
        /// status, and what to do (in cuDNN 9 typically 1008, a sub-library that would not load).
        /// </summary>
        internal static CudnnHandle? TryCreate(CudnnApi dnn, IntPtr stream, out string? reason)
        {
            reason = null;
            int status = dnn.Create(out IntPtr handle);
            string call = "cudnnCreate";
            if (status == 0)
            {
                call = "cudnnSetStream";
                status = dnn.SetStream(handle, stream);
                if (status == 0) return new CudnnHandle(dnn, handle);
                dnn.Destroy(handle);
            }
            reason = $"{call} failed with {dnn.Explain(status)}{SetupAdvice(status)}";
            return null;
        }

        /// <summary>What to do about a failed cuDNN setup, as a sentence to append ("" when there is no advice).</summary>
        private static string SetupAdvice(int status) => status switch
        {
            1008 => ". cuDNN 9 opens its sub-libraries (libcudnn_graph, _ops, _cnn, _engines_*) when a handle is created: install the " +
                    "complete cuDNN, or put the directory that holds all of them in LD_LIBRARY_PATH or INITCORE_CUDA_LIBRARY_PATH",
            1002 => ". The cuDNN sub-libraries found are from a different cuDNN version than libcudnn; install one complete cuDNN",
            _ => "",
        };

        public void Dispose()
        {
            IntPtr h = Interlocked.Exchange(ref _handle, IntPtr.Zero);
            if (h != IntPtr.Zero) Api.Destroy(h);
        }
    }
}
