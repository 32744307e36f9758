namespace InitCore.Interop.Native
{
    /// <summary>A call into an NVIDIA library failed: the status code and name, and the failing call.</summary>
    public abstract class NativeCallException : Exception
    {
        /// <summary>Creates the exception.</summary>
        /// <param name="code">The library's status code.</param>
        /// <param name="statusName">The status name, e.g. CUDA_ERROR_OUT_OF_MEMORY.</param>
        /// <param name="call">The failing call as written in InitCore, e.g. <c>cuMemAlloc_v2(1073741824 bytes)</c>.</param>
        /// <param name="message">The whole message.</param>
        protected NativeCallException(int code, string statusName, string call, string message) : base(message)
        {
            Code = code;
            StatusName = statusName;
            Call = call;
        }

        /// <summary>The status code.</summary>
        public int Code { get; }

        /// <summary>The status name.</summary>
        public string StatusName { get; }

        /// <summary>The call that failed.</summary>
        public string Call { get; }
    }
}
