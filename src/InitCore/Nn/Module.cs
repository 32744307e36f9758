using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using InitCore.Randomness;

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
            // A forward pass that fails leaves no output for Backward to check a gradient against.
            Volatile.Write(ref _outputShape, null);
            Tensor output = ForwardCore(input);
            Volatile.Write(ref _outputShape, output.ShapeArray);
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
        /// <remarks>The gradient is checked by <see cref="ValidateGradOutput"/> before anything changes.</remarks>
        /// <param name="gradOutput">The gradient of the loss with respect to the last output: same shape as that output, on this module's engine.</param>
        /// <param name="needInputGradient">False when nobody needs the input's gradient (the model's first layer, fed
        /// with data): Linear and Conv2d then skip computing it and return zeros, as PyTorch skips inputs that do not
        /// require grad.</param>
        public Tensor Backward(Tensor gradOutput, bool needInputGradient = true)
        {
            ValidateGradOutput(gradOutput);
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

        /// <summary>
        /// The name of child <paramref name="index"/> in parameter paths (<see cref="NamedParameters"/>, <see cref="StateDict"/>)
        /// and in the printed structure: its index, as in torch's Sequential, unless a container names its children.
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not in 0 … Children.Count − 1.</exception>
        public virtual string ChildName(int index)
        {
            if (index < 0 || index >= Children.Count)
                throw new ArgumentOutOfRangeException(nameof(index), index, $"{Describe()} has {Children.Count} children; pass an index in 0..{Children.Count - 1}.");
            return index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        /// <summary>This module's own buffers: state that is saved and loaded but not trained (batch norm's running statistics).</summary>
        public virtual IReadOnlyList<(string Name, Tensor Buffer)> OwnBuffers => Array.Empty<(string, Tensor)>();

        /// <summary>All buffers with dotted names, this module's first, then its children's, as torch's <c>named_buffers()</c>.</summary>
        public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers()
        {
            foreach (var b in OwnBuffers) yield return b;
            for (int i = 0; i < Children.Count; i++)
                foreach (var (name, t) in Children[i].NamedBuffers())
                    yield return ($"{ChildName(i)}.{name}", t);
        }

        /// <summary>
        /// The module's state by name, as torch's <c>model.state_dict()</c>: for each module, depth first, its parameters
        /// (the names of <see cref="NamedParameters"/>, e.g. <c>0.weight</c>) then its buffers (e.g. <c>1.running_mean</c>).
        /// </summary>
        /// <remarks>The values are the module's own tensors, not copies (torch's are detached views of the same memory):
        /// writing to them changes the module. Snapshot one with <see cref="Tensor.ToArray"/>. Save the whole dictionary
        /// with <see cref="Serialization.SafeTensors.Save(string, Module, IReadOnlyDictionary{string, string}?)"/>.</remarks>
        public IReadOnlyDictionary<string, Tensor> StateDict()
        {
            var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            CollectState(state, "");
            return state;
        }

        private void CollectState(Dictionary<string, Tensor> state, string prefix)
        {
            foreach (Parameter p in OwnParameters) state[prefix + p.Name] = p.Value;
            foreach (var (name, t) in OwnBuffers) state[prefix + name] = t;
            for (int i = 0; i < Children.Count; i++) Children[i].CollectState(state, prefix + ChildName(i) + ".");
        }

        /// <summary>
        /// Copies the values of <paramref name="stateDict"/> into the module's parameters and buffers with the same names,
        /// as torch's <c>model.load_state_dict(state_dict, strict)</c>. The source tensors may live on any engine.
        /// </summary>
        /// <param name="stateDict">Tensors by name, e.g. from <see cref="StateDict"/> of a model of the same structure, or from a safetensors file.</param>
        /// <param name="strict">True (the default, as torch): every name of the module must be in the dictionary and every
        /// name of the dictionary in the module. False: missing and unexpected names are allowed and returned.</param>
        /// <returns>The names the module has and the dictionary lacks, and the names the dictionary has and the module lacks (both empty after a strict load).</returns>
        /// <exception cref="ArgumentNullException"><paramref name="stateDict"/> is null.</exception>
        /// <exception cref="ArgumentException">Any mismatch: with strict, missing and unexpected keys; always, shape mismatches and null
        /// values. One message lists them all, in torch's words; nothing was copied.</exception>
        /// <exception cref="ObjectDisposedException">A source tensor or the engine has been disposed; nothing was copied.</exception>
        public StateDictLoadResult LoadStateDict(IReadOnlyDictionary<string, Tensor> stateDict, bool strict = true)
        {
            if (stateDict is null) throw new ArgumentNullException(nameof(stateDict));
            Engine.ThrowIfDisposed();
            IReadOnlyDictionary<string, Tensor> own = StateDict();
            var missing = new List<string>();
            var unexpected = new List<string>();
            var errors = new List<string>();
            var copies = new List<(Tensor Target, Tensor Source)>();
            foreach (var kv in own)
            {
                if (!stateDict.TryGetValue(kv.Key, out Tensor? source)) { missing.Add(kv.Key); continue; }
                if (source is null) errors.Add($"value for {kv.Key} is null; pass a tensor of shape {TensorShape.Format(kv.Value.ShapeArray)}.");
                else if (!source.HasShape(kv.Value.ShapeArray))
                    errors.Add($"size mismatch for {kv.Key}: copying a param with shape {TensorShape.Format(source.ShapeArray)} from checkpoint, the shape in current model is {TensorShape.Format(kv.Value.ShapeArray)}.");
                else copies.Add((kv.Value, source));
            }
            foreach (string key in stateDict.Keys) if (!own.ContainsKey(key)) unexpected.Add(key);
            unexpected.Sort(StringComparer.Ordinal);
            if (strict)
            {
                // As torch: missing keys first, then unexpected keys, then the other errors.
                if (unexpected.Count > 0) errors.Insert(0, $"Unexpected key(s) in state_dict: {QuotedList(unexpected)}. ");
                if (missing.Count > 0) errors.Insert(0, $"Missing key(s) in state_dict: {QuotedList(missing)}. ");
            }
            if (errors.Count > 0)
                throw new ArgumentException(
                    $"Error(s) in loading state_dict for {Describe()}:\n\t{string.Join("\n\t", errors)}\nNothing was loaded. The module's names are those of NamedParameters and NamedBuffers" +
                    (strict ? "; pass strict: false to skip missing and unexpected keys." : "."), nameof(stateDict));
            // Read every source before writing any target, so a disposed source changes nothing.
            var values = new float[copies.Count][];
            for (int i = 0; i < copies.Count; i++) values[i] = copies[i].Source.ToArray();
            for (int i = 0; i < copies.Count; i++) copies[i].Target.CopyFrom(values[i]);
            return new StateDictLoadResult(missing, unexpected);
        }

        private static string QuotedList(List<string> names) => string.Join(", ", names.Select(n => $"\"{n}\""));

        /// <summary>
        /// Calls <paramref name="fn"/> on every module of the tree, children first (recursively), then this one, as torch's
        /// <c>model.apply(fn)</c>; typically to initialize: <c>model.Apply(m => { if (m is Linear l) Init.KaimingNormal(l.Weight.Value, nonlinearity: "relu"); })</c>.
        /// </summary>
        /// <returns>This module.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
        public Module Apply(Action<Module> fn)
        {
            if (fn is null) throw new ArgumentNullException(nameof(fn));
            foreach (Module child in Children) child.Apply(fn);
            fn(this);
            return this;
        }

        /// <summary>Every module in the tree, this one first, in execution order.</summary>
        public IEnumerable<Module> Modules()
        {
            yield return this;
            foreach (Module child in Children)
                foreach (Module m in child.Modules())
                    yield return m;
        }

        /// <summary>
        /// Every module with its dotted path as PyTorch's <c>named_modules()</c> gives it (the path
        /// <see cref="NamedParameters"/> puts before a parameter's name; "" for this module), in execution order.
        /// The diagnostics number layers with it, so a chart, the LSUV report and NamedParameters agree.
        /// </summary>
        internal IEnumerable<(string Path, Module Module)> NamedModules(string prefix = "")
        {
            yield return (prefix, this);
            for (int i = 0; i < Children.Count; i++)
                foreach (var named in Children[i].NamedModules(prefix.Length == 0 ? ChildName(i) : $"{prefix}.{ChildName(i)}"))
                    yield return named;
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

        private int[]? _outputShape;

        /// <summary>The shape of the output of the last successful forward pass, or null when there was none
        /// (never run, or the last <see cref="Forward"/> threw).</summary>
        protected IReadOnlyList<int>? ForwardOutputShape => Volatile.Read(ref _outputShape);

        /// <summary>
        /// The one gradient check every backward pass runs, before any state changes: <paramref name="gradOutput"/> must be
        /// non-null, belong to this module's engine, and have exactly the shape of the output of the last successful
        /// forward pass, which must exist. So no kernel ever reads a gradient past its end, and no gradient of the wrong
        /// shape is silently reinterpreted (torch raises "Mismatch in shape" in the same case).
        /// </summary>
        /// <remarks>
        /// <see cref="Backward"/> calls it before <see cref="BackwardCore"/>, and <see cref="Forward"/> records the output
        /// shape after <see cref="ForwardCore"/>, so a new layer gets the check without writing any code: implement
        /// <see cref="ForwardCore"/> and <see cref="BackwardCore"/>, and <see cref="BackwardCore"/> may rely on the
        /// gradient's shape being the shape its <see cref="ForwardCore"/> returned. A layer with another public entry
        /// point that takes an output gradient calls this method first.
        /// </remarks>
        /// <param name="gradOutput">The gradient of the loss with respect to the last forward output.</param>
        /// <exception cref="ArgumentNullException"><paramref name="gradOutput"/> is null.</exception>
        /// <exception cref="ArgumentException">The gradient belongs to another engine or its shape differs from the last
        /// output's (ParamName <c>gradOutput</c>; the message gives both shapes).</exception>
        /// <exception cref="InvalidOperationException">No forward pass came first, or the last one threw.</exception>
        /// <exception cref="ObjectDisposedException">The gradient has been disposed.</exception>
        protected void ValidateGradOutput(Tensor gradOutput)
        {
            if (gradOutput is null) throw new ArgumentNullException(nameof(gradOutput));
            int[] expected = Volatile.Read(ref _outputShape)
                ?? throw new InvalidOperationException($"{Describe()}: Backward was called before Forward, or the last Forward threw; run Forward on a batch first.");
            if (!ReferenceEquals(gradOutput.Engine, Engine))
                throw new ArgumentException($"{Describe()}: the gradient belongs to another engine than this module; create it with this module's engine.", nameof(gradOutput));
            if (!gradOutput.ShapeArray.AsSpan().SequenceEqual(expected))
                throw new ArgumentException(
                    $"{Describe()}: the gradient has shape {TensorShape.Format(gradOutput.ShapeArray)} but the last forward output has shape {TensorShape.Format(expected)}; pass a gradient of exactly the output's shape.",
                    nameof(gradOutput));
            _ = gradOutput.Storage; // throws ObjectDisposedException for a disposed gradient, before any state changes
        }

        /// <summary>Throws unless a forward pass cached <paramref name="cached"/>.</summary>
        protected T Cached<T>(T? cached) where T : class =>
            cached ?? throw new InvalidOperationException($"{Describe()}: Backward was called before Forward; run Forward on a batch first.");
    }
}
