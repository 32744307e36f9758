namespace InitCore.Nn
{
    // Module, part 3 of 3: the module tree: parameters, buffers, state dict (save/load by name) and traversal.
    public abstract partial class Module
    {
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
    }
}
