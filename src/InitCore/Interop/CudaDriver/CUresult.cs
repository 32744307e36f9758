namespace InitCore.Interop.CudaDriver
{
    /// <summary>CUDA driver API status codes (cuda.h <c>CUresult</c>), named exactly as in C.</summary>
#pragma warning disable CA1707 // names are the C API's
    internal enum CUresult
    {
        CUDA_SUCCESS = 0,
        CUDA_ERROR_INVALID_VALUE = 1,
        CUDA_ERROR_OUT_OF_MEMORY = 2,
        CUDA_ERROR_NOT_INITIALIZED = 3,
        CUDA_ERROR_DEINITIALIZED = 4,
        CUDA_ERROR_PROFILER_DISABLED = 5,
        CUDA_ERROR_STUB_LIBRARY = 34,
        CUDA_ERROR_DEVICE_UNAVAILABLE = 46,
        CUDA_ERROR_NO_DEVICE = 100,
        CUDA_ERROR_INVALID_DEVICE = 101,
        CUDA_ERROR_DEVICE_NOT_LICENSED = 102,
        CUDA_ERROR_INVALID_IMAGE = 200,
        CUDA_ERROR_INVALID_CONTEXT = 201,
        CUDA_ERROR_CONTEXT_ALREADY_CURRENT = 202,
        CUDA_ERROR_MAP_FAILED = 205,
        CUDA_ERROR_UNMAP_FAILED = 206,
        CUDA_ERROR_NO_BINARY_FOR_GPU = 209,
        CUDA_ERROR_ECC_UNCORRECTABLE = 214,
        CUDA_ERROR_UNSUPPORTED_LIMIT = 215,
        CUDA_ERROR_CONTEXT_ALREADY_IN_USE = 216,
        CUDA_ERROR_INVALID_PTX = 218,
        CUDA_ERROR_JIT_COMPILER_NOT_FOUND = 221,
        CUDA_ERROR_UNSUPPORTED_PTX_VERSION = 222,
        CUDA_ERROR_JIT_COMPILATION_DISABLED = 223,
        CUDA_ERROR_INVALID_SOURCE = 300,
        CUDA_ERROR_FILE_NOT_FOUND = 301,
        CUDA_ERROR_SHARED_OBJECT_SYMBOL_NOT_FOUND = 302,
        CUDA_ERROR_SHARED_OBJECT_INIT_FAILED = 303,
        CUDA_ERROR_OPERATING_SYSTEM = 304,
        CUDA_ERROR_INVALID_HANDLE = 400,
        CUDA_ERROR_ILLEGAL_STATE = 401,
        CUDA_ERROR_NOT_FOUND = 500,
        CUDA_ERROR_NOT_READY = 600,
        CUDA_ERROR_ILLEGAL_ADDRESS = 700,
        CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES = 701,
        CUDA_ERROR_LAUNCH_TIMEOUT = 702,
        CUDA_ERROR_PRIMARY_CONTEXT_ACTIVE = 708,
        CUDA_ERROR_CONTEXT_IS_DESTROYED = 709,
        CUDA_ERROR_ASSERT = 710,
        CUDA_ERROR_HARDWARE_STACK_ERROR = 714,
        CUDA_ERROR_ILLEGAL_INSTRUCTION = 715,
        CUDA_ERROR_MISALIGNED_ADDRESS = 716,
        CUDA_ERROR_INVALID_ADDRESS_SPACE = 717,
        CUDA_ERROR_INVALID_PC = 718,
        CUDA_ERROR_LAUNCH_FAILED = 719,
        CUDA_ERROR_NOT_PERMITTED = 800,
        CUDA_ERROR_NOT_SUPPORTED = 801,
        CUDA_ERROR_SYSTEM_NOT_READY = 802,
        CUDA_ERROR_SYSTEM_DRIVER_MISMATCH = 803,
        CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE = 804,
        CUDA_ERROR_UNKNOWN = 999,
    }
#pragma warning restore CA1707

    /// <summary>Names and advice for <see cref="CUresult"/> codes, without needing the driver.</summary>
    internal static class CUresultInfo
    {
        internal static string Name(int code) =>
            System.Enum.IsDefined(typeof(CUresult), code) ? ((CUresult)code).ToString() : $"CUresult {code}";

        internal static string Advice(int code) => (CUresult)code switch
        {
            CUresult.CUDA_ERROR_NO_DEVICE => "no CUDA-capable GPU is visible (check nvidia-smi and CUDA_VISIBLE_DEVICES); the CPU backend works on every machine",
            CUresult.CUDA_ERROR_OUT_OF_MEMORY => "free tensors you no longer need (Dispose), use smaller batches, or let other processes release the GPU",
            CUresult.CUDA_ERROR_SYSTEM_DRIVER_MISMATCH => "the user-mode driver (libcuda) and the kernel module differ in version; reinstall the NVIDIA driver or reboot",
            CUresult.CUDA_ERROR_UNSUPPORTED_PTX_VERSION => "the driver is older than the PTX InitCore embeds; update the NVIDIA driver",
            CUresult.CUDA_ERROR_STUB_LIBRARY => "a stub libcuda from the toolkit was loaded instead of the driver's; put the driver's libcuda.so.1 first",
            CUresult.CUDA_ERROR_NOT_INITIALIZED => "cuInit has not succeeded; this is an InitCore bug if it reaches you",
            CUresult.CUDA_ERROR_ILLEGAL_ADDRESS => "a kernel touched memory outside its buffers; this sticky error leaves the device's primary context unusable for the rest of the process (a new engine does not help): restart the process",
            _ => "",
        };
    }
}
