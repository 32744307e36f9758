using InitCore.Interop.Native;

namespace InitCore.Interop.Cudnn
{
    /// <summary>A cuDNN call failed. Carries the cudnnStatus_t name and code and the failing call.</summary>
    public sealed class CudnnException : NativeCallException
    {
        /// <summary>Creates the exception.</summary>
        public CudnnException(int code, string statusName, string call, string message) : base(code, statusName, call, message)
        {
        }
    }
}
