namespace InitCore.Interop
{
    /// <summary>
    /// The CUDA backend cannot be used on this machine: a library is missing or refused, or the driver
    /// reports no device. <see cref="LoadTrace"/> lists every library name and path tried, and why each failed.
    /// </summary>
    public sealed class CudaUnavailableException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public CudaUnavailableException(string reason, IReadOnlyList<string> loadTrace, Exception? inner = null)
            : base(reason + Environment.NewLine + "Load trace:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", loadTrace ?? throw new ArgumentNullException(nameof(loadTrace))), inner)
        {
            Reason = reason;
            LoadTrace = loadTrace;
        }

        /// <summary>One line: why CUDA is unavailable, e.g. "cuInit returned CUDA_ERROR_NO_DEVICE (100)".</summary>
        public string Reason { get; }

        /// <summary>Every library name and path tried, with the outcome of each.</summary>
        public IReadOnlyList<string> LoadTrace { get; }
    }
}
