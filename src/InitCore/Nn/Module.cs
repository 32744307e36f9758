using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;

namespace InitCore.Nn
{
    /// <summary>
    /// A layer or a model: forward and backward on the engine's backend, its parameters and their
    /// gradients, training/evaluation mode, and a printable structure. Backward uses what the last
    /// forward call cached, so call them in pairs (forward, loss, backward).
    /// </summary>
    public abstract class Module
    {
        /// <summary>Creates a module that runs on <paramref name="engine"/>.</summary>
        protected Module(Engine engine)
        {
            Engine = engine ?? throw new ArgumentNullException(nameof(engine));
            engine.ThrowIfDisposed();
        }

        /// <summary>The engine whose backend runs this module.</summary>
        public Engine Engine { get; }

        /// <summary>True in training mode (the default), false in evaluation mode.</summary>
        public bool IsTraining { get; private set; } = true;

        /// <summary>The direct sub-modules, in execution order.</summary>
        public virtual IReadOnlyList<Module> Children => Array.Empty<Module>();

        /// <summary>This module's own parameters (not its children's).</summary>
        public virtual IReadOnlyList<Parameter> OwnParameters => Array.Empty<Parameter>();

        /// <summary>Switches this module and its children to training mode (or evaluation with false).</summary>
        public void Train(bool training = true)
        {
            IsTraining = training;
            foreach (Module child in Children) child.Train(training);
        }

        /// <summary>Switches to evaluation mode. Equivalent to torch's <c>model.eval()</c>.</summary>
        public void Eval() => Train(false);

        private ForwardHook[] _forwardHooks = Array.Empty<ForwardHook>();
        private BackwardHook[] _backwardHooks = Array.Empty<BackwardHook>();

        /// <summary>Runs the layer on <paramref name="input"/> and returns a new output tensor; then calls the forward hooks.</summary>
        public Tensor Forward(Tensor input)
        {
            if (input is null) throw new ArgumentNullException(nameof(input));
            if (!ReferenceEquals(input.Engine, Engine))
                throw new ArgumentException($"The input belongs to another engine than {Describe()}; create it with this module's engine.", nameof(input));
            Tensor output = ForwardCore(input);
            foreach (ForwardHook h in Volatile.Read(ref _forwardHooks)) h(this, input, output);
            return output;
        }

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

        /// <summary>Back-propagates <paramref name="gradOutput"/> through the last forward call; accumulates parameter gradients, calls the backward hooks and returns the input gradient.</summary>
        /// <param name="gradOutput">The gradient of the loss with respect to the last output.</param>
        /// <param name="needInputGradient">False when nobody needs the input's gradient (the model's first layer, fed
        /// with data): Linear and Conv2d then skip computing it and return zeros, as PyTorch skips inputs that do not
        /// require grad.</param>
        public Tensor Backward(Tensor gradOutput, bool needInputGradient = true)
        {
            if (gradOutput is null) throw new ArgumentNullException(nameof(gradOutput));
            NeedInputGradient = needInputGradient;
            Tensor gradInput = BackwardCore(gradOutput);
            foreach (BackwardHook h in Volatile.Read(ref _backwardHooks)) h(this, gradOutput, gradInput);
            return gradInput;
        }

        /// <summary>Registers a hook called after every forward pass of this module, however it is called. Dispose the handle to remove it.</summary>
        public HookHandle RegisterForwardHook(ForwardHook hook)
        {
            if (hook is null) throw new ArgumentNullException(nameof(hook));
            Update(ref _forwardHooks, hook, add: true);
            return new HookHandle(() => Update(ref _forwardHooks, hook, add: false));
        }

        /// <summary>Registers a hook called after every backward pass of this module. Dispose the handle to remove it.</summary>
        public HookHandle RegisterBackwardHook(BackwardHook hook)
        {
            if (hook is null) throw new ArgumentNullException(nameof(hook));
            Update(ref _backwardHooks, hook, add: true);
            return new HookHandle(() => Update(ref _backwardHooks, hook, add: false));
        }

        /// <summary>Number of hooks registered on this module (forward + backward).</summary>
        public int HookCount => Volatile.Read(ref _forwardHooks).Length + Volatile.Read(ref _backwardHooks).Length;

        private static void Update<T>(ref T[] hooks, T hook, bool add) where T : class
        {
            // Copy-on-write, so a pass that is running keeps the array it started with.
            while (true)
            {
                T[] old = Volatile.Read(ref hooks);
                T[] next;
                if (add)
                {
                    next = new T[old.Length + 1];
                    old.CopyTo(next, 0);
                    next[old.Length] = hook;
                }
                else
                {
                    int i = Array.IndexOf(old, hook);
                    if (i < 0) return;
                    next = new T[old.Length - 1];
                    Array.Copy(old, 0, next, 0, i);
                    Array.Copy(old, i + 1, next, i, old.Length - i - 1);
                }
                if (Interlocked.CompareExchange(ref hooks, next, old) == old) return;
            }
        }

        /// <summary>Whether the backward pass in progress must compute the input gradient.</summary>
        protected bool NeedInputGradient { get; private set; } = true;

        /// <summary>The forward computation.</summary>
        protected abstract Tensor ForwardCore(Tensor input);

        /// <summary>The backward computation.</summary>
        protected abstract Tensor BackwardCore(Tensor gradOutput);

        /// <summary>All parameters, this module's first, then its children's, depth first.</summary>
        public IEnumerable<Parameter> Parameters() => NamedParameters().Select(p => p.Parameter);

        /// <summary>All parameters with dotted names as PyTorch's <c>named_parameters()</c> gives them, e.g. <c>0.weight</c>.</summary>
        public IEnumerable<(string Name, Parameter Parameter)> NamedParameters()
        {
            foreach (Parameter p in OwnParameters) yield return (p.Name, p);
            for (int i = 0; i < Children.Count; i++)
                foreach (var (name, p) in Children[i].NamedParameters())
                    yield return ($"{ChildName(i)}.{name}", p);
        }

        /// <summary>The name of child <paramref name="index"/> in parameter paths: its index, as in torch's Sequential.</summary>
        protected virtual string ChildName(int index) => index.ToString(System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>Every module in the tree, this one first, in execution order.</summary>
        public IEnumerable<Module> Modules()
        {
            yield return this;
            foreach (Module child in Children)
                foreach (Module m in child.Modules())
                    yield return m;
        }

        /// <summary>Sets every parameter gradient to zero.</summary>
        public void ZeroGrad()
        {
            foreach (Parameter p in Parameters()) p.ZeroGrad();
        }

        /// <summary>Re-initializes this module's own parameters with PyTorch's default; containers recurse.</summary>
        public virtual void ResetParameters(RandomSource? generator = null)
        {
            foreach (Module child in Children) child.ResetParameters(generator);
        }

        /// <summary>One line describing this module alone, e.g. <c>Conv2d(1→8, k5, s2, p2)</c>.</summary>
        public abstract string Describe();

        /// <summary>The structure, one module per line, children indented.</summary>
        public override string ToString()
        {
            var sb = new StringBuilder();
            Print(sb, 0, null);
            return sb.ToString().TrimEnd();
        }

        private void Print(StringBuilder sb, int depth, string? name)
        {
            sb.Append(' ', depth * 2);
            if (name is not null) sb.Append('(').Append(name).Append("): ");
            sb.Append(Describe());
            if (Children.Count > 0) sb.Append(" (");
            sb.AppendLine();
            for (int i = 0; i < Children.Count; i++) Children[i].Print(sb, depth + 1, ChildName(i));
            if (Children.Count > 0)
            {
                sb.Append(' ', depth * 2);
                sb.AppendLine(")");
            }
        }

        /// <summary>Throws unless a forward pass cached <paramref name="cached"/>.</summary>
        protected T Cached<T>(T? cached) where T : class =>
            cached ?? throw new InvalidOperationException($"{Describe()}: Backward was called before Forward; run Forward on a batch first.");
    }
}
