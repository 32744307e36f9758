using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Text;

namespace InitCore.Tests.Support
{
    /// <summary>
    /// Which namespace of a compiled assembly uses which, read from the assembly's metadata and IL with
    /// System.Reflection.Metadata (not from the sources, so it cannot drift from the code). A type "uses" another
    /// type of the same assembly when the other appears in its base type, interfaces, generic constraints, field,
    /// method, property or local signatures, or in any token of its method bodies (calls, field accesses, newobj,
    /// castclass, ldtoken, ...), including through generic instantiations. Nested and compiler-generated types
    /// (closures, iterators, fixed buffers) count as their outermost declaring type.
    /// </summary>
    internal sealed class NamespaceGraph
    {
        private readonly Dictionary<string, Dictionary<string, SortedSet<string>>> _edges = new(StringComparer.Ordinal);

        private NamespaceGraph() { }

        /// <summary>Every namespace that declares a type (the assembly's own, excluding the global namespace).</summary>
        internal SortedSet<string> Namespaces { get; } = new(StringComparer.Ordinal);

        /// <summary>The namespaces <paramref name="from"/> uses (other than itself).</summary>
        internal IEnumerable<string> Uses(string from) =>
            _edges.TryGetValue(from, out var to) ? to.Keys.Where(t => t != from) : Enumerable.Empty<string>();

        /// <summary>A few of the type pairs behind the edge <paramref name="from"/> → <paramref name="to"/>, for messages.</summary>
        internal IEnumerable<string> Evidence(string from, string to) =>
            _edges.TryGetValue(from, out var m) && m.TryGetValue(to, out var e) ? e : Enumerable.Empty<string>();

        internal static NamespaceGraph Read(string assemblyPath)
        {
            using var stream = File.OpenRead(assemblyPath);
            using var pe = new PEReader(stream);
            var reader = pe.GetMetadataReader();
            var graph = new NamespaceGraph();
            var scanner = new Scanner(reader, pe, graph);
            foreach (var handle in reader.TypeDefinitions) scanner.ScanType(handle);
            return graph;
        }

        /// <summary>Every (using type, used type) pair between different types, as full names.</summary>
        internal HashSet<(string From, string To)> TypeEdges { get; } = new();

        private void Add(string from, string fromType, string to, string toType)
        {
            if (from.Length == 0 || to.Length == 0) return;
            if (from + "." + fromType != to + "." + toType) TypeEdges.Add((from + "." + fromType, to + "." + toType));
            Namespaces.Add(from);
            Namespaces.Add(to);
            if (from == to) return;
            if (!_edges.TryGetValue(from, out var m)) _edges[from] = m = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
            if (!m.TryGetValue(to, out var e)) m[to] = e = new SortedSet<string>(StringComparer.Ordinal);
            if (e.Count < 6) e.Add($"{fromType} → {toType}");
        }

        /// <summary>The strongly connected components with more than one namespace (each one a cycle).</summary>
        internal List<List<string>> Cycles()
        {
            int index = 0;
            var indices = new Dictionary<string, int>();
            var low = new Dictionary<string, int>();
            var stack = new Stack<string>();
            var onStack = new HashSet<string>();
            var result = new List<List<string>>();
            void Visit(string v)
            {
                indices[v] = low[v] = index++;
                stack.Push(v);
                onStack.Add(v);
                foreach (string w in Uses(v))
                {
                    if (!indices.ContainsKey(w)) { Visit(w); low[v] = Math.Min(low[v], low[w]); }
                    else if (onStack.Contains(w)) low[v] = Math.Min(low[v], indices[w]);
                }
                if (low[v] != indices[v]) return;
                var component = new List<string>();
                string x;
                do { x = stack.Pop(); onStack.Remove(x); component.Add(x); } while (x != v);
                if (component.Count > 1) { component.Sort(StringComparer.Ordinal); result.Add(component); }
            }
            foreach (string v in Namespaces) if (!indices.ContainsKey(v)) Visit(v);
            return result;
        }

        /// <summary>The dependency matrix as text: a row per namespace in <paramref name="order"/> (top layer first), <c>o</c> where the row uses a column listed below it, <c>X</c> where it uses one listed above it.</summary>
        internal string Matrix(IReadOnlyList<string> order)
        {
            var names = order.Concat(Namespaces.Where(n => !order.Contains(n))).ToList();
            var sb = new StringBuilder();
            int width = names.Max(n => Short(n).Length);
            sb.Append(' ', width + 3);
            for (int j = 0; j < names.Count; j++) sb.Append((j + 1).ToString().PadLeft(3));
            sb.AppendLine();
            for (int i = 0; i < names.Count; i++)
            {
                sb.Append((i + 1).ToString().PadLeft(2)).Append(' ').Append(Short(names[i]).PadRight(width));
                var uses = new HashSet<string>(Uses(names[i]));
                // o: uses a namespace listed below it (allowed); X: uses one listed above it (a layering violation).
                for (int j = 0; j < names.Count; j++) sb.Append(i == j ? "  ." : uses.Contains(names[j]) ? (j < i ? "  X" : "  o") : "   ");
                sb.AppendLine();
            }
            return sb.ToString();
        }

        private static string Short(string ns) => ns == "InitCore" ? "InitCore" : ns.StartsWith("InitCore.", StringComparison.Ordinal) ? ns.Substring(9) : ns;

        private sealed class Scanner : ISignatureTypeProvider<object?, object?>
        {
            private static readonly Dictionary<short, OperandSize> Operands = BuildOperandTable();
            private readonly MetadataReader _r;
            private readonly PEReader _pe;
            private readonly NamespaceGraph _graph;
            private string _fromNs = "", _fromType = "";

            internal Scanner(MetadataReader reader, PEReader pe, NamespaceGraph graph) { _r = reader; _pe = pe; _graph = graph; }

            private (string Ns, string Name) Outer(TypeDefinitionHandle h)
            {
                var t = _r.GetTypeDefinition(h);
                while (t.GetDeclaringType() is { IsNil: false } d) { h = d; t = _r.GetTypeDefinition(d); }
                string ns = _r.GetString(t.Namespace);
                return (ns, _r.GetString(t.Name));
            }

            private void Use(TypeDefinitionHandle h)
            {
                var (ns, name) = Outer(h);
                if (name == "<Module>" || ns.Length == 0) return;
                _graph.Add(_fromNs, _fromType, ns, name);
            }

            internal void ScanType(TypeDefinitionHandle handle)
            {
                (_fromNs, _fromType) = Outer(handle);
                if (_fromType == "<Module>" || _fromNs.Length == 0 || _fromNs.StartsWith("System", StringComparison.Ordinal) || _fromNs.StartsWith("Microsoft", StringComparison.Ordinal)) return;
                _graph.Namespaces.Add(_fromNs);
                var t = _r.GetTypeDefinition(handle);
                if (!t.BaseType.IsNil) UseEntity(t.BaseType);
                foreach (var i in t.GetInterfaceImplementations()) UseEntity(_r.GetInterfaceImplementation(i).Interface);
                foreach (var g in t.GetGenericParameters()) ScanGenericParameter(g);
                foreach (var f in t.GetFields()) _r.GetFieldDefinition(f).DecodeSignature(this, null);
                foreach (var p in t.GetProperties()) _r.GetPropertyDefinition(p).DecodeSignature(this, null);
                foreach (var e in t.GetEvents()) UseEntity(_r.GetEventDefinition(e).Type);
                foreach (var m in t.GetMethods()) ScanMethod(m);
            }

            private void ScanGenericParameter(GenericParameterHandle g)
            {
                foreach (var c in _r.GetGenericParameter(g).GetConstraints()) UseEntity(_r.GetGenericParameterConstraint(c).Type);
            }

            private void ScanMethod(MethodDefinitionHandle handle)
            {
                var m = _r.GetMethodDefinition(handle);
                m.DecodeSignature(this, null);
                foreach (var g in m.GetGenericParameters()) ScanGenericParameter(g);
                if (m.RelativeVirtualAddress == 0) return;
                var body = _pe.GetMethodBody(m.RelativeVirtualAddress);
                if (!body.LocalSignature.IsNil)
                    _r.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(this, null);
                foreach (var region in body.ExceptionRegions)
                    if (!region.CatchType.IsNil) UseEntity(region.CatchType);
                var il = body.GetILReader();
                while (il.RemainingBytes > 0)
                {
                    short code = il.ReadByte();
                    if (code == 0xFE) code = (short)(0xFE00 | il.ReadByte());
                    var size = Operands.TryGetValue(code, out var s) ? s : OperandSize.None;
                    switch (size)
                    {
                        case OperandSize.Token:
                            int token = il.ReadInt32();
                            if ((token >> 24) != 0x70) UseEntity(MetadataTokens.EntityHandle(token)); // 0x70: user string
                            break;
                        case OperandSize.Switch:
                            int n = il.ReadInt32();
                            il.Offset += 4 * n;
                            break;
                        default:
                            il.Offset += (int)size;
                            break;
                    }
                }
            }

            private void UseEntity(EntityHandle h)
            {
                if (h.IsNil) return;
                switch (h.Kind)
                {
                    case HandleKind.TypeDefinition: Use((TypeDefinitionHandle)h); break;
                    case HandleKind.TypeSpecification: _r.GetTypeSpecification((TypeSpecificationHandle)h).DecodeSignature(this, null); break;
                    case HandleKind.MethodDefinition:
                        var md = _r.GetMethodDefinition((MethodDefinitionHandle)h);
                        Use(md.GetDeclaringType());
                        md.DecodeSignature(this, null);
                        break;
                    case HandleKind.FieldDefinition:
                        var fd = _r.GetFieldDefinition((FieldDefinitionHandle)h);
                        Use(fd.GetDeclaringType());
                        fd.DecodeSignature(this, null);
                        break;
                    case HandleKind.MemberReference:
                        var mr = _r.GetMemberReference((MemberReferenceHandle)h);
                        UseEntity(mr.Parent);
                        if (mr.GetKind() == MemberReferenceKind.Method) mr.DecodeMethodSignature(this, null);
                        else mr.DecodeFieldSignature(this, null);
                        break;
                    case HandleKind.MethodSpecification:
                        var ms = _r.GetMethodSpecification((MethodSpecificationHandle)h);
                        UseEntity(ms.Method);
                        ms.DecodeSignature(this, null);
                        break;
                    case HandleKind.StandaloneSignature:
                        var ss = _r.GetStandaloneSignature((StandaloneSignatureHandle)h);
                        if (ss.GetKind() == StandaloneSignatureKind.Method) ss.DecodeMethodSignature(this, null);
                        break;
                }
            }

            public object? GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) { Use(handle); return null; }
            public object? GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => null;
            public object? GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind)
                => reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);
            public object? GetArrayType(object? elementType, ArrayShape shape) => null;
            public object? GetByReferenceType(object? elementType) => null;
            public object? GetFunctionPointerType(MethodSignature<object?> signature) => null;
            public object? GetGenericInstantiation(object? genericType, ImmutableArray<object?> typeArguments) => null;
            public object? GetGenericMethodParameter(object? genericContext, int index) => null;
            public object? GetGenericTypeParameter(object? genericContext, int index) => null;
            public object? GetModifiedType(object? modifier, object? unmodifiedType, bool isRequired) => null;
            public object? GetPinnedType(object? elementType) => null;
            public object? GetPointerType(object? elementType) => null;
            public object? GetPrimitiveType(PrimitiveTypeCode typeCode) => null;
            public object? GetSZArrayType(object? elementType) => null;

            private enum OperandSize { None = 0, One = 1, Two = 2, Four = 4, Eight = 8, Token = -1, Switch = -2 }

            private static Dictionary<short, OperandSize> BuildOperandTable()
            {
                // ECMA-335 III: the operand of every opcode, from the BCL's own opcode table.
                var table = new Dictionary<short, OperandSize>();
                foreach (var f in typeof(System.Reflection.Emit.OpCodes).GetFields())
                {
                    if (f.GetValue(null) is not System.Reflection.Emit.OpCode op) continue;
                    table[op.Value] = op.OperandType switch
                    {
                        System.Reflection.Emit.OperandType.InlineNone => OperandSize.None,
                        System.Reflection.Emit.OperandType.ShortInlineBrTarget or System.Reflection.Emit.OperandType.ShortInlineI or System.Reflection.Emit.OperandType.ShortInlineVar => OperandSize.One,
                        System.Reflection.Emit.OperandType.InlineVar => OperandSize.Two,
                        System.Reflection.Emit.OperandType.InlineI8 or System.Reflection.Emit.OperandType.InlineR => OperandSize.Eight,
                        System.Reflection.Emit.OperandType.InlineSwitch => OperandSize.Switch,
                        System.Reflection.Emit.OperandType.InlineField or System.Reflection.Emit.OperandType.InlineMethod or System.Reflection.Emit.OperandType.InlineTok
                            or System.Reflection.Emit.OperandType.InlineType or System.Reflection.Emit.OperandType.InlineSig or System.Reflection.Emit.OperandType.InlineString => OperandSize.Token,
                        _ => OperandSize.Four, // InlineBrTarget, InlineI, ShortInlineR
                    };
                }
                return table;
            }
        }
    }
}
