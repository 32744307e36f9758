using InitCore.Randomness;

namespace InitCore.Nn
{
    /// <summary>
    /// A layer or a model: forward and backward on the engine's backend, its parameters and their
    /// gradients, training/evaluation mode, and a printable structure. Backward uses what the last
    /// forward call cached, so call them in pairs (forward, loss, backward).
    /// </summary>
    /// <remarks>This file: mode, forward, backward and hooks, the gradient check, the printed structure.
    /// Module.Inference.cs: the allocation-free inference path. Module.Tree.cs: parameters, buffers, state dict and traversal.</remarks>
    public abstract partial class Module
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
