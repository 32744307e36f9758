using InitCore.Interop.CudaDriver;

namespace InitCore.Backends.Cuda
{
    /// <summary>
    /// Error translation for the device context: a failed driver call becomes a <see cref="CudaException"/> (through the binding's
    /// <see cref="CudaDriverApi.Failure"/>), or, for a sticky error, a <see cref="CudaStickyErrorException"/> that also marks this
    /// context, and so the engine, unusable. cuBLAS and cuDNN calls use their bindings' ThrowIfFailed.
    /// </summary>
    internal sealed partial class CudaDeviceContext
    {
        private volatile CudaException? _broken;

        /// <summary>The sticky error that made this context unusable, or null. Once set, the engine rethrows it on every call.</summary>
        internal CudaException? BrokenBy => _broken;

        /// <summary>Throws unless <paramref name="status"/> is CUDA_SUCCESS; a sticky status also marks this context unusable.</summary>
        internal void Check(CUresult status, string call)
        {
            if (status == CUresult.CUDA_SUCCESS) return;
            if (!IsSticky(status)) throw Driver.Failure(status, call);
            var (name, sentence) = Driver.FailureSentence(status, call);
            var sticky = new CudaStickyErrorException((int)status, name, call,
                $"{sentence} This is a sticky error: the CUDA context of " +
                $"device {_device} ({Name}) is corrupted, and every later CUDA call in this process fails. This engine is now unusable, " +
                "and disposing it and creating a new one does not help (the device's primary context stays poisoned): save what you need, " +
                "then restart the process. To find the kernel, run with CUDA_LAUNCH_BLOCKING=1 or under compute-sanitizer.");
            _broken ??= sticky;
            throw sticky;
        }

        /// <summary>Sticky CUDA errors: they poison the context for the life of the process (700, 715–719).</summary>
        internal static bool IsSticky(CUresult status) =>
            status == CUresult.CUDA_ERROR_ILLEGAL_ADDRESS || (status >= CUresult.CUDA_ERROR_ILLEGAL_INSTRUCTION && status <= CUresult.CUDA_ERROR_LAUNCH_FAILED);

        /// <summary>What every call on an engine whose context a sticky error poisoned throws.</summary>
        internal static CudaStickyErrorException Unusable(CudaException cause) =>
            new CudaStickyErrorException(cause.Code, cause.StatusName, cause.Call,
                $"This CUDA engine is unusable: earlier, {cause.Call} failed with the sticky error {cause.StatusName} ({cause.Code}), which " +
                "corrupts the device's primary context for the rest of the process. Creating a new engine does not help; restart the process.");

        /// <summary>A <see cref="CudaException"/> for <paramref name="call"/> with our own <paramref name="detail"/> in place of the generic advice.</summary>
        internal CudaException Error(CUresult status, string call, string detail)
        {
            var (name, _) = Driver.Describe(status);
            return new CudaException((int)status, name, call, $"{call} failed with {name} ({(int)status}). {detail}");
        }
    }
}
