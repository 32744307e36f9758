using InitCore.Interop.Native;

namespace InitCore.Interop.Cublas
{
    /// <summary>A cuBLAS call failed. Carries the cublasStatus_t name and code and the failing call.</summary>
    public sealed class CublasException : NativeCallException
    {
        /// <summary>Creates the exception.</summary>
        public CublasException(int code, string statusName, string call, string message) : base(code, statusName, call, message)
        {
        }
    }
}
