using InitCore.Interop.Native;
using CUcontext = System.IntPtr;
using CUdevice = System.Int32;
using CUdeviceptr = System.UInt64;
using CUfunction = System.IntPtr;
using CUmodule = System.IntPtr;
using CUstream = System.IntPtr;

namespace InitCore.Interop.CudaDriver
{
    /// <summary>
    /// Layer 1 of the driver binding: raw exports of libcuda, one unmanaged function pointer per symbol,
    /// named exactly as exported. Only what InitCore uses is bound, and none of the functions whose
    /// signatures changed in CUDA 13 (cuCtxCreate and friends): contexts come from the primary context.
    /// Layer 2 (status-returning wrappers) is the methods below the fields.
    /// </summary>
#pragma warning disable CA1707, IDE1006 // the C API's names
    internal sealed unsafe class CudaDriverApi : NativeBinding
    {
        internal readonly delegate* unmanaged[Cdecl]<uint, CUresult> cuInit;
        internal readonly delegate* unmanaged[Cdecl]<int*, CUresult> cuDriverGetVersion;
        internal readonly delegate* unmanaged[Cdecl]<int*, CUresult> cuDeviceGetCount;
        internal readonly delegate* unmanaged[Cdecl]<CUdevice*, int, CUresult> cuDeviceGet;
        internal readonly delegate* unmanaged[Cdecl]<byte*, int, CUdevice, CUresult> cuDeviceGetName;
        internal readonly delegate* unmanaged[Cdecl]<int*, int, CUdevice, CUresult> cuDeviceGetAttribute;
        internal readonly delegate* unmanaged[Cdecl]<nuint*, CUdevice, CUresult> cuDeviceTotalMem_v2;
        internal readonly delegate* unmanaged[Cdecl]<CUcontext*, CUdevice, CUresult> cuDevicePrimaryCtxRetain;
        internal readonly delegate* unmanaged[Cdecl]<CUdevice, CUresult> cuDevicePrimaryCtxRelease_v2;
        internal readonly delegate* unmanaged[Cdecl]<CUcontext, CUresult> cuCtxPushCurrent_v2;
        internal readonly delegate* unmanaged[Cdecl]<CUcontext*, CUresult> cuCtxPopCurrent_v2;
        internal readonly delegate* unmanaged[Cdecl]<CUstream*, uint, CUresult> cuStreamCreate;
        internal readonly delegate* unmanaged[Cdecl]<CUstream, CUresult> cuStreamDestroy_v2;
        internal readonly delegate* unmanaged[Cdecl]<CUstream, CUresult> cuStreamSynchronize;
        internal readonly delegate* unmanaged[Cdecl]<CUdeviceptr*, nuint, CUresult> cuMemAlloc_v2;
        internal readonly delegate* unmanaged[Cdecl]<CUdeviceptr, CUresult> cuMemFree_v2;
        internal readonly delegate* unmanaged[Cdecl]<nuint*, nuint*, CUresult> cuMemGetInfo_v2;
        internal readonly delegate* unmanaged[Cdecl]<CUdeviceptr, void*, nuint, CUstream, CUresult> cuMemcpyHtoDAsync_v2;
        internal readonly delegate* unmanaged[Cdecl]<void*, CUdeviceptr, nuint, CUstream, CUresult> cuMemcpyDtoHAsync_v2;
        internal readonly delegate* unmanaged[Cdecl]<CUdeviceptr, CUdeviceptr, nuint, CUstream, CUresult> cuMemcpyDtoDAsync_v2;
        internal readonly delegate* unmanaged[Cdecl]<CUdeviceptr, uint, nuint, CUstream, CUresult> cuMemsetD32Async;
        internal readonly delegate* unmanaged[Cdecl]<CUmodule*, void*, uint, int*, void**, CUresult> cuModuleLoadDataEx;
        internal readonly delegate* unmanaged[Cdecl]<CUmodule, CUresult> cuModuleUnload;
        internal readonly delegate* unmanaged[Cdecl]<CUfunction*, CUmodule, byte*, CUresult> cuModuleGetFunction;
        internal readonly delegate* unmanaged[Cdecl]<CUfunction, uint, uint, uint, uint, uint, uint, uint, CUstream, void**, void**, CUresult> cuLaunchKernel;
        internal readonly delegate* unmanaged[Cdecl]<CUresult, byte**, CUresult> cuGetErrorName;
        internal readonly delegate* unmanaged[Cdecl]<CUresult, byte**, CUresult> cuGetErrorString;

        internal CudaDriverApi(IntPtr library, string path) : base(library, path)
        {
            cuInit = (delegate* unmanaged[Cdecl]<uint, CUresult>)Exports.Need(nameof(cuInit));
            cuDriverGetVersion = (delegate* unmanaged[Cdecl]<int*, CUresult>)Exports.Need(nameof(cuDriverGetVersion));
            cuDeviceGetCount = (delegate* unmanaged[Cdecl]<int*, CUresult>)Exports.Need(nameof(cuDeviceGetCount));
            cuDeviceGet = (delegate* unmanaged[Cdecl]<CUdevice*, int, CUresult>)Exports.Need(nameof(cuDeviceGet));
            cuDeviceGetName = (delegate* unmanaged[Cdecl]<byte*, int, CUdevice, CUresult>)Exports.Need(nameof(cuDeviceGetName));
            cuDeviceGetAttribute = (delegate* unmanaged[Cdecl]<int*, int, CUdevice, CUresult>)Exports.Need(nameof(cuDeviceGetAttribute));
            cuDeviceTotalMem_v2 = (delegate* unmanaged[Cdecl]<nuint*, CUdevice, CUresult>)Exports.Need(nameof(cuDeviceTotalMem_v2));
            cuDevicePrimaryCtxRetain = (delegate* unmanaged[Cdecl]<CUcontext*, CUdevice, CUresult>)Exports.Need(nameof(cuDevicePrimaryCtxRetain));
            cuDevicePrimaryCtxRelease_v2 = (delegate* unmanaged[Cdecl]<CUdevice, CUresult>)Exports.Need(nameof(cuDevicePrimaryCtxRelease_v2));
            cuCtxPushCurrent_v2 = (delegate* unmanaged[Cdecl]<CUcontext, CUresult>)Exports.Need(nameof(cuCtxPushCurrent_v2));
            cuCtxPopCurrent_v2 = (delegate* unmanaged[Cdecl]<CUcontext*, CUresult>)Exports.Need(nameof(cuCtxPopCurrent_v2));
            cuStreamCreate = (delegate* unmanaged[Cdecl]<CUstream*, uint, CUresult>)Exports.Need(nameof(cuStreamCreate));
            cuStreamDestroy_v2 = (delegate* unmanaged[Cdecl]<CUstream, CUresult>)Exports.Need(nameof(cuStreamDestroy_v2));
            cuStreamSynchronize = (delegate* unmanaged[Cdecl]<CUstream, CUresult>)Exports.Need(nameof(cuStreamSynchronize));
            cuMemAlloc_v2 = (delegate* unmanaged[Cdecl]<CUdeviceptr*, nuint, CUresult>)Exports.Need(nameof(cuMemAlloc_v2));
            cuMemFree_v2 = (delegate* unmanaged[Cdecl]<CUdeviceptr, CUresult>)Exports.Need(nameof(cuMemFree_v2));
            cuMemGetInfo_v2 = (delegate* unmanaged[Cdecl]<nuint*, nuint*, CUresult>)Exports.Need(nameof(cuMemGetInfo_v2));
            cuMemcpyHtoDAsync_v2 = (delegate* unmanaged[Cdecl]<CUdeviceptr, void*, nuint, CUstream, CUresult>)Exports.Need(nameof(cuMemcpyHtoDAsync_v2));
            cuMemcpyDtoHAsync_v2 = (delegate* unmanaged[Cdecl]<void*, CUdeviceptr, nuint, CUstream, CUresult>)Exports.Need(nameof(cuMemcpyDtoHAsync_v2));
            cuMemcpyDtoDAsync_v2 = (delegate* unmanaged[Cdecl]<CUdeviceptr, CUdeviceptr, nuint, CUstream, CUresult>)Exports.Need(nameof(cuMemcpyDtoDAsync_v2));
            cuMemsetD32Async = (delegate* unmanaged[Cdecl]<CUdeviceptr, uint, nuint, CUstream, CUresult>)Exports.Need(nameof(cuMemsetD32Async));
            cuModuleLoadDataEx = (delegate* unmanaged[Cdecl]<CUmodule*, void*, uint, int*, void**, CUresult>)Exports.Need(nameof(cuModuleLoadDataEx));
            cuModuleUnload = (delegate* unmanaged[Cdecl]<CUmodule, CUresult>)Exports.Need(nameof(cuModuleUnload));
            cuModuleGetFunction = (delegate* unmanaged[Cdecl]<CUfunction*, CUmodule, byte*, CUresult>)Exports.Need(nameof(cuModuleGetFunction));
            cuLaunchKernel = (delegate* unmanaged[Cdecl]<CUfunction, uint, uint, uint, uint, uint, uint, uint, CUstream, void**, void**, CUresult>)Exports.Need(nameof(cuLaunchKernel));
            cuGetErrorName = (delegate* unmanaged[Cdecl]<CUresult, byte**, CUresult>)Exports.Need(nameof(cuGetErrorName));
            cuGetErrorString = (delegate* unmanaged[Cdecl]<CUresult, byte**, CUresult>)Exports.Need(nameof(cuGetErrorString));
        }

        // ------------------------------------------------------------ layer 2: wrappers returning the status

        internal CUresult Init() => cuInit(0);

        internal CUresult DriverGetVersion(out int version)
        {
            int v;
            CUresult r = cuDriverGetVersion(&v);
            version = v;
            return r;
        }

        internal CUresult DeviceGetCount(out int count)
        {
            int c;
            CUresult r = cuDeviceGetCount(&c);
            count = c;
            return r;
        }

        internal CUresult DeviceGet(int ordinal, out CUdevice device)
        {
            CUdevice d;
            CUresult r = cuDeviceGet(&d, ordinal);
            device = d;
            return r;
        }

        internal CUresult DeviceGetName(CUdevice device, out string name)
        {
            byte* buffer = stackalloc byte[256];
            CUresult r = cuDeviceGetName(buffer, 256, device);
            name = r == CUresult.CUDA_SUCCESS ? Utf8(buffer) : "";
            return r;
        }

        internal CUresult DeviceGetAttribute(CUdevice device, int attribute, out int value)
        {
            int v;
            CUresult r = cuDeviceGetAttribute(&v, attribute, device);
            value = v;
            return r;
        }

        internal CUresult PrimaryCtxRetain(CUdevice device, out CUcontext context)
        {
            CUcontext c;
            CUresult r = cuDevicePrimaryCtxRetain(&c, device);
            context = c;
            return r;
        }

        internal CUresult PrimaryCtxRelease(CUdevice device) => cuDevicePrimaryCtxRelease_v2(device);

        internal CUresult CtxPush(CUcontext context) => cuCtxPushCurrent_v2(context);

        internal CUresult CtxPop()
        {
            CUcontext c;
            return cuCtxPopCurrent_v2(&c);
        }

        internal CUresult StreamCreate(out CUstream stream)
        {
            CUstream s;
            CUresult r = cuStreamCreate(&s, 1 /* CU_STREAM_NON_BLOCKING */);
            stream = s;
            return r;
        }

        internal CUresult StreamDestroy(CUstream stream) => cuStreamDestroy_v2(stream);

        internal CUresult StreamSynchronize(CUstream stream) => cuStreamSynchronize(stream);

        internal CUresult MemAlloc(ulong bytes, out CUdeviceptr pointer)
        {
            CUdeviceptr p;
            CUresult r = cuMemAlloc_v2(&p, (nuint)bytes);
            pointer = p;
            return r;
        }

        internal CUresult MemFree(CUdeviceptr pointer) => cuMemFree_v2(pointer);

        internal CUresult MemGetInfo(out ulong free, out ulong total)
        {
            nuint f, t;
            CUresult r = cuMemGetInfo_v2(&f, &t);
            free = f;
            total = t;
            return r;
        }

        internal CUresult MemcpyHtoD(CUdeviceptr destination, void* source, ulong bytes, CUstream stream)
            => cuMemcpyHtoDAsync_v2(destination, source, (nuint)bytes, stream);

        internal CUresult MemcpyDtoH(void* destination, CUdeviceptr source, ulong bytes, CUstream stream)
            => cuMemcpyDtoHAsync_v2(destination, source, (nuint)bytes, stream);

        internal CUresult MemcpyDtoD(CUdeviceptr destination, CUdeviceptr source, ulong bytes, CUstream stream)
            => cuMemcpyDtoDAsync_v2(destination, source, (nuint)bytes, stream);

        internal CUresult MemsetD32(CUdeviceptr destination, uint value, ulong count, CUstream stream)
            => cuMemsetD32Async(destination, value, (nuint)count, stream);

        /// <summary>cuModuleLoadDataEx with the JIT error log captured into <paramref name="jitLog"/>.</summary>
        internal CUresult ModuleLoadData(byte[] image, out CUmodule module, out string jitLog)
        {
            const int CU_JIT_ERROR_LOG_BUFFER = 5, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6;
            const int logSize = 16 * 1024;
            byte* log = stackalloc byte[logSize];
            log[0] = 0;
            int* options = stackalloc int[2] { CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES };
            void** values = stackalloc void*[2];
            values[0] = log;
            values[1] = (void*)(nint)logSize;
            CUmodule m;
            CUresult r;
            fixed (byte* p = image) r = cuModuleLoadDataEx(&m, p, 2, options, values);
            module = m;
            jitLog = Utf8(log);
            return r;
        }

        internal CUresult ModuleUnload(CUmodule module) => cuModuleUnload(module);

        internal CUresult ModuleGetFunction(CUmodule module, string name, out CUfunction function)
        {
            byte[] ascii = Encoding.ASCII.GetBytes(name + "\0");
            CUfunction f;
            CUresult r;
            fixed (byte* p = ascii) r = cuModuleGetFunction(&f, module, p);
            function = f;
            return r;
        }

        internal CUresult LaunchKernel(CUfunction function, uint gridX, uint gridY, uint blockX, uint sharedBytes, CUstream stream, void** arguments)
            => cuLaunchKernel(function, gridX, gridY, 1, blockX, 1, 1, sharedBytes, stream, arguments, null);

        /// <summary>The driver's own name and description of a status, or our table's when the call fails.</summary>
        internal (string Name, string Description) Describe(CUresult status)
        {
            byte* name = null, text = null;
            string n = cuGetErrorName(status, &name) == CUresult.CUDA_SUCCESS && name != null ? Utf8(name) : CUresultInfo.Name((int)status);
            string d = cuGetErrorString(status, &text) == CUresult.CUDA_SUCCESS && text != null ? Utf8(text) : "";
            return (n, d);
        }

        /// <summary>Throws a <see cref="CudaException"/> naming the status and <paramref name="call"/> unless <paramref name="status"/> is CUDA_SUCCESS.</summary>
        internal void ThrowIfFailed(CUresult status, [CallerArgumentExpression("status")] string call = "")
        {
            if (status != CUresult.CUDA_SUCCESS) throw Failure(status, call);
        }

        /// <summary>"call failed with NAME (code): text. Advice." as a <see cref="CudaException"/>.</summary>
        internal CudaException Failure(CUresult status, string call)
        {
            var (name, sentence) = FailureSentence(status, call);
            string advice = CUresultInfo.Advice((int)status);
            return new CudaException((int)status, name, call,
                $"{sentence}{(advice.Length > 0 ? " " + char.ToUpperInvariant(advice[0]) + advice.Substring(1) + "." : "")}");
        }

        /// <summary>The status's name and "call failed with NAME (code): text.", the first sentence of every driver failure message.</summary>
        internal (string Name, string Sentence) FailureSentence(CUresult status, string call)
        {
            var (name, text) = Describe(status);
            return (name, $"{call} failed with {name} ({(int)status}){(text.Length > 0 ? ": " + text : "")}.");
        }
    }
#pragma warning restore CA1707, IDE1006
}
