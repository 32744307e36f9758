namespace InitCore.Nn
{
    // Module, part 2 of 3: the inference path (Infer), which caches nothing for backward and reuses its output buffers.
    public abstract partial class Module
    {
        /// <summary>
        /// Runs the layer for inference: the same result as <see cref="Forward"/> in evaluation mode, bit for bit, but it
        /// caches nothing for a backward pass and writes into output buffers the module owns, so a host that calls it
        /// every frame creates no garbage (none at all on the CPU once the shapes stop changing, and no device
        /// allocation on CUDA). Equivalent to PyTorch's <c>with torch.inference_mode(): model.eval()(x)</c>, without
        /// switching the module's mode: batch norm always uses its running statistics and updates nothing.
        /// </summary>
        /// <remarks>
        /// <para><b>Lifetime of the result.</b> The returned tensor belongs to this module (to the last layer that produced it,
        /// for a container). It stays valid, and keeps its values, until the next <see cref="Infer"/> call on this module or
        /// on any module inside it, or until <see cref="ReleaseInferenceBuffers"/> or the engine's disposal. Read it (or copy
        /// it with <see cref="Tensor.CopyTo"/>) before the next call; do not dispose it. <see cref="Forward"/> and
        /// <see cref="Backward"/> do not touch it.</para>
        /// <para><b>Buffers.</b> Each layer keeps one output buffer (and its scratch) per module, created on the first call
        /// and re-created only when the input's shape changes; changing the batch size therefore allocates once.</para>
        /// <para><b>Hooks.</b> Forward hooks run, as for <see cref="Forward"/>; the tensors they receive are only valid during the call.</para>
        /// <para><b>Threads.</b> One thread at a time per module: two concurrent calls share the buffers.</para>
        /// </remarks>
        /// <param name="input">A tensor of this module's engine. It may be another module's inference output (a pipeline),
        /// but not this layer's own previous output, which the call overwrites.</param>
        /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
        /// <exception cref="ArgumentException">The input belongs to another engine, has the wrong shape, or is the layer's own inference output.</exception>
        public Tensor Infer(Tensor input)
        {
            if (input is null) throw new ArgumentNullException(nameof(input));
            if (!ReferenceEquals(input.Engine, Engine))
                throw new ArgumentException($"The input belongs to another engine than {Describe()}; create it with this module's engine.", nameof(input));
            Tensor output = InferCore(input);
            foreach (ForwardHook h in Volatile.Read(ref _forwardHooks)) h(this, input, output);
            return output;
        }

        /// <summary>
        /// The inference computation behind <see cref="Infer"/>. Contract for an override: compute what
        /// <see cref="ForwardCore"/> computes in evaluation mode, with the same operations in the same order (so the bits
        /// match); cache nothing for backward and change no state that <see cref="Forward"/> or <see cref="Backward"/> read;
        /// write the result into a buffer from <see cref="InferenceBuffer(int, Tensor, ReadOnlySpan{int}, bool)"/> and
        /// return it. Containers call <see cref="Infer"/> on their children. Elementwise activations derived from
        /// <see cref="ActivationModule"/> get this for free.
        /// <para>The default runs <see cref="ForwardCore"/>: correct, but it allocates a new output on every call and
        /// caches what Forward caches. Override it for the allocation-free path.</para>
        /// </summary>
        protected virtual Tensor InferCore(Tensor input) => ForwardCore(input);

        private Tensor?[] _inferenceBuffers = Array.Empty<Tensor?>();

        /// <summary>
        /// Inference buffer number <paramref name="slot"/> of this module with the given shape: the one from the last call
        /// when its shape matches, otherwise a new zero-filled tensor (the old one is disposed). Allocates nothing when the
        /// shape is unchanged.
        /// </summary>
        /// <param name="slot">0 for the output, 1, 2, … for scratch the layer keeps between calls.</param>
        /// <param name="input">The input of the call: the buffer must not be it, since the call reads the input while writing the buffer.</param>
        /// <param name="shape">The buffer's shape.</param>
        /// <param name="inPlace">True when the layer may write its output over its input element by element (activations):
        /// then the input may be this very buffer.</param>
        /// <exception cref="ArgumentException"><paramref name="input"/> is this buffer and the layer cannot work in place.</exception>
        protected Tensor InferenceBuffer(int slot, Tensor input, ReadOnlySpan<int> shape, bool inPlace = false)
        {
            if (slot < 0) throw new ArgumentOutOfRangeException(nameof(slot), slot, "slot must be ≥ 0.");
            if (slot >= _inferenceBuffers.Length)
            {
                var grown = new Tensor?[slot + 1];
                _inferenceBuffers.CopyTo(grown, 0);
                _inferenceBuffers = grown;
            }
            Tensor? buffer = _inferenceBuffers[slot];
            if (buffer is not null && input.SharesStorageWith(buffer))
            {
                if (inPlace && buffer.HasShape(shape)) return buffer;
                throw new ArgumentException(
                    $"The input is {Describe()}'s own inference output from its previous call, which this call overwrites; copy it first (Tensor.ToArray, Engine.CreateTensor) or use another module.",
                    nameof(input));
            }
            if (buffer is not null && !buffer.IsDisposed && buffer.HasShape(shape)) return buffer;
            buffer?.Dispose();
            _inferenceBuffers[slot] = null;
            Tensor created = Engine.CreateTensor(shape.ToArray());
            _inferenceBuffers[slot] = created;
            return created;
        }

        /// <summary>
        /// Frees the buffers <see cref="Infer"/> keeps in this module and its children (tensors it returned become
        /// invalid). The next call creates them again. Useful when a host stops running a model but keeps it.
        /// </summary>
        public void ReleaseInferenceBuffers()
        {
            Tensor?[] buffers = _inferenceBuffers;
            _inferenceBuffers = Array.Empty<Tensor?>();
            foreach (Tensor? t in buffers) t?.Dispose();
            OnReleaseInferenceBuffers();
            foreach (Module child in Children) child.ReleaseInferenceBuffers();
        }

        /// <summary>Called by <see cref="ReleaseInferenceBuffers"/>: drop any other inference state a layer keeps (views).</summary>
        protected virtual void OnReleaseInferenceBuffers()
        {
        }
    }
}
