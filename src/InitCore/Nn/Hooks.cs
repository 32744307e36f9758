namespace InitCore.Nn
{
    /// <summary>Called after a module's forward pass with its input and output.</summary>
    public delegate void ForwardHook(Module module, Tensor input, Tensor output);

    /// <summary>Called after a module's backward pass with the gradient it received (of its output) and the one it returned (of its input).</summary>
    public delegate void BackwardHook(Module module, Tensor gradOutput, Tensor gradInput);

    /// <summary>A registered hook. Dispose removes it; removing twice is a no-op. Equivalent to torch's RemovableHandle.</summary>
    public sealed class HookHandle : IDisposable
    {
        private Action? _remove;

        internal HookHandle(Action remove) => _remove = remove;

        /// <summary>True once the hook has been removed.</summary>
        public bool IsRemoved => Volatile.Read(ref _remove) is null;

        /// <summary>Removes the hook.</summary>
        public void Dispose() => Interlocked.Exchange(ref _remove, null)?.Invoke();
    }

    /// <summary>
    /// Collects hook handles and removes every one on Dispose, also when an exception unwinds a
    /// <c>using</c> block, so no hook outlives its purpose.
    /// </summary>
    public sealed class HookScope : IDisposable
    {
        private readonly List<HookHandle> _handles = new List<HookHandle>();
        private readonly object _gate = new object();

        /// <summary>Registers a forward hook on <paramref name="module"/> that this scope will remove.</summary>
        public HookHandle Forward(Module module, ForwardHook hook) => Track(module.RegisterForwardHook(hook));

        /// <summary>Registers a backward hook on <paramref name="module"/> that this scope will remove.</summary>
        public HookHandle Backward(Module module, BackwardHook hook) => Track(module.RegisterBackwardHook(hook));

        /// <summary>Number of hooks still held.</summary>
        public int Count
        {
            get { lock (_gate) return _handles.Count; }
        }

        private HookHandle Track(HookHandle h)
        {
            lock (_gate) _handles.Add(h);
            return h;
        }

        /// <summary>Removes every hook this scope registered. Idempotent.</summary>
        public void Dispose()
        {
            HookHandle[] all;
            lock (_gate)
            {
                all = _handles.ToArray();
                _handles.Clear();
            }
            foreach (HookHandle h in all) h.Dispose();
        }
    }
}
