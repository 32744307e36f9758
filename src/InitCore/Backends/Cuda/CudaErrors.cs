
using InitCore.Interop.CudaDriver;

namespace InitCore.Backends.Cuda
{
    /// <summary>
    /// Error translation for the CUDA backend: a failed driver call becomes a <see cref="CudaException"/> (through the binding's
    /// <see cref="CudaDriverApi.Failure"/>), or, for a sticky error, a <see cref="CudaStickyErrorException"/> that also marks this
    /// engine unusable; cuDNN setup failures get advice. cuBLAS and cuDNN calls use their bindings' ThrowIfFailed.
    /// </summary>
    internal sealed partial class CudaBackend
    {
        private void Check(CUresult status, string call)
        {
            if (status == CUresult.CUDA_SUCCESS) return;
            if (!IsSticky(status)) throw _d.Failure(status, call);
            var (name, text) = _d.Describe(status);
            var sticky = new CudaStickyErrorException((int)status, name, call,
                $"{call} failed with {name} ({(int)status}){(text.Length > 0 ? ": " + text : "")}. This is a sticky error: the CUDA context of " +
                $"device {_device} ({DeviceName}) is corrupted, and every later CUDA call in this process fails. This engine is now unusable, " +
                "and disposing it and creating a new one does not help (the device's primary context stays poisoned): save what you need, " +
                "then restart the process. To find the kernel, run with CUDA_LAUNCH_BLOCKING=1 or under compute-sanitizer.");
            _broken ??= sticky;
            throw sticky;
        }

        /// <summary>Sticky CUDA errors: they poison the context for the life of the process (700, 715–719).</summary>
        internal static bool IsSticky(CUresult status) =>
            status == CUresult.CUDA_ERROR_ILLEGAL_ADDRESS || (status >= CUresult.CUDA_ERROR_ILLEGAL_INSTRUCTION && status <= CUresult.CUDA_ERROR_LAUNCH_FAILED);

        private static CudaStickyErrorException Unusable(CudaException cause) =>
            new CudaStickyErrorException(cause.Code, cause.StatusName, cause.Call,
                $"This CUDA engine is unusable: earlier, {cause.Call} failed with the sticky error {cause.StatusName} ({cause.Code}), which " +
                "corrupts the device's primary context for the rest of the process. Creating a new engine does not help; restart the process.");

        private CudaException Error(CUresult status, string call, string detail)
        {
            var (name, _) = _d.Describe(status);
            return new CudaException((int)status, name, call, $"{call} failed with {name} ({(int)status}). {detail}");
        }

        /// <summary>What to do about a failed cuDNN setup, as a sentence to append ("" when there is no advice).</summary>
        private static string CudnnSetupAdvice(int status) => status switch
        {
            1008 => ". cuDNN 9 opens its sub-libraries (libcudnn_graph, _ops, _cnn, _engines_*) when a handle is created: install the " +
                    "complete cuDNN, or put the directory that holds all of them in LD_LIBRARY_PATH or INITCORE_CUDA_LIBRARY_PATH",
            1002 => ". The cuDNN sub-libraries found are from a different cuDNN version than libcudnn; install one complete cuDNN",
            _ => "",
        };
    }
}
