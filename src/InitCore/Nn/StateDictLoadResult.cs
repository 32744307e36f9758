namespace InitCore.Nn
{
    /// <summary>What <see cref="Module.LoadStateDict"/> did not match: torch's <c>_IncompatibleKeys</c>.</summary>
    public sealed class StateDictLoadResult
    {
        internal StateDictLoadResult(IReadOnlyList<string> missingKeys, IReadOnlyList<string> unexpectedKeys)
        {
            MissingKeys = missingKeys;
            UnexpectedKeys = unexpectedKeys;
        }

        /// <summary>Names the module has and the dictionary lacks (those keep their values), in state-dict order.</summary>
        public IReadOnlyList<string> MissingKeys { get; }

        /// <summary>Names the dictionary has and the module lacks (ignored), in ordinal order.</summary>
        public IReadOnlyList<string> UnexpectedKeys { get; }

        /// <inheritdoc />
        public override string ToString() => $"missing_keys=[{string.Join(", ", MissingKeys)}], unexpected_keys=[{string.Join(", ", UnexpectedKeys)}]";
    }
}
