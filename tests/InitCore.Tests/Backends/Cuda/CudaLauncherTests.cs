using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using InitCore.Backends.Cuda;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Backends
{
    /// <summary>
    /// The typed kernel launchers (<see cref="CudaLaunchers"/>) against the embedded PTX: one launcher per <c>.entry</c>, its
    /// parameters matching the <c>.param</c> list in count, size and type, and each argument's bytes handed to the launch at
    /// its PTX position. No device is needed: the PTX is read from the engine assembly and the launch is recorded.
    /// </summary>
    [TestClass]
    public sealed unsafe class CudaLauncherTests
    {
        /// <summary>One PTX <c>.param</c>: its type letter (u, s, b, f), bits per element, element count (1 unless an array) and bytes.</summary>
        public sealed record PtxParam(char Kind, int Bits, int Count)
        {
            public int Bytes => Bits / 8 * Count;

            public override string ToString() => Count == 1 ? $".{Kind}{Bits}" : $".{Kind}{Bits}[{Count}]";
        }

        /// <summary>Each embedded <c>.entry</c>'s parameters, in order, read from the PTX text of every catalogued module.</summary>
        internal static Dictionary<string, PtxParam[]> PtxEntries()
        {
            var result = new Dictionary<string, PtxParam[]>();
            foreach (string module in KernelCatalog.Modules.Keys)
            {
                byte[] image = KernelCatalog.Image(module);
                string ptx = Encoding.ASCII.GetString(image, 0, image.Length - 1);
                foreach (Match m in Regex.Matches(ptx, @"\.entry\s+(\w+)\s*\(([^)]*)\)"))
                {
                    var parameters = new List<PtxParam>();
                    foreach (string p in m.Groups[2].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        var pm = Regex.Match(p, @"\.param\s+(?:\.align\s+\d+\s+)?\.([usbf])(\d+)\s+(?:\.ptr\s+\S+\s+(?:\.align\s+\d+\s+)?)?\w+(?:\[(\d+)\])?");
                        Assert.IsTrue(pm.Success, $"{m.Groups[1].Value}: cannot read parameter '{p}'");
                        parameters.Add(new PtxParam(pm.Groups[1].Value[0], int.Parse(pm.Groups[2].Value), pm.Groups[3].Success ? int.Parse(pm.Groups[3].Value) : 1));
                    }
                    result[m.Groups[1].Value] = parameters.ToArray();
                }
            }
            return result;
        }

        /// <summary>Every method of <see cref="CudaLaunchers"/> marked with <see cref="KernelEntryAttribute"/>, with its entry.</summary>
        private static List<(MethodInfo Method, string Entry)> Launchers() =>
            typeof(CudaLaunchers).GetMethods(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly)
                .Select(m => (Method: m, Attribute: m.GetCustomAttribute<KernelEntryAttribute>()))
                .Where(x => x.Attribute is not null)
                .Select(x => (x.Method, x.Attribute!.Entry))
                .ToList();

        /// <summary>A launcher's kernel parameters: every parameter after the leading <see cref="KernelGrid"/>.</summary>
        private static ParameterInfo[] KernelParameters(MethodInfo m)
        {
            ParameterInfo[] all = m.GetParameters();
            Assert.IsTrue(all.Length > 0 && all[0].ParameterType == typeof(KernelGrid), $"{m.Name}: the first parameter must be the KernelGrid");
            return all.Skip(1).ToArray();
        }

        /// <summary>Whether a C# parameter type can carry a PTX parameter: same bytes, and a float only for .f, an integer only for .u/.s/.b, a struct only for a .b8 array.</summary>
        private static bool Matches(Type t, PtxParam p)
        {
            if (t == typeof(float) || t == typeof(double)) return p.Kind == 'f' && p.Count == 1 && p.Bytes == Marshal.SizeOf(t);
            if (t.IsPrimitive) return p.Kind != 'f' && p.Count == 1 && p.Bytes == Marshal.SizeOf(t);
            return t.IsValueType && p.Kind == 'b' && p.Bits == 8 && p.Bytes == Marshal.SizeOf(t);
        }

        [TestMethod]
        public void EveryPtxEntry_HasExactlyOneTypedLauncher_AndEveryLauncherNamesAnEntry()
        {
            var ptx = PtxEntries();
            var launchers = Launchers();
            var catalogued = KernelCatalog.Modules.Values.SelectMany(e => e).ToList();
            CollectionAssert.AreEquivalent(ptx.Keys.ToList(), catalogued, "the catalogue lists exactly the PTX's entries");
            var problems = new List<string>();
            foreach (string entry in ptx.Keys)
            {
                int n = launchers.Count(l => l.Entry == entry);
                if (n != 1) problems.Add($"{entry}: {n} launchers in CudaLaunchers (want exactly 1)");
            }
            foreach (var l in launchers.Where(l => !ptx.ContainsKey(l.Entry)))
                problems.Add($"CudaLaunchers.{l.Method.Name} names {l.Entry}, which no embedded PTX declares");
            Assert.AreEqual(0, problems.Count, string.Join(Environment.NewLine, problems));
        }

        [TestMethod]
        public void LauncherParameters_MatchThePtxParamLists_InCountSizeAndType()
        {
            var ptx = PtxEntries();
            var problems = new List<string>();
            foreach (var (method, entry) in Launchers())
            {
                ParameterInfo[] ps = KernelParameters(method);
                PtxParam[] want = ptx[entry];
                if (ps.Length != want.Length)
                {
                    problems.Add($"CudaLaunchers.{method.Name} ({entry}): {ps.Length} kernel parameters, the PTX declares {want.Length}");
                    continue;
                }
                for (int i = 0; i < ps.Length; i++)
                    if (!Matches(ps[i].ParameterType, want[i]))
                        problems.Add($"CudaLaunchers.{method.Name} ({entry}): parameter {i} ({ps[i].ParameterType.Name} {ps[i].Name}) cannot carry the PTX's {want[i]}");
            }
            Assert.AreEqual(0, problems.Count, string.Join(Environment.NewLine, problems));
        }

        /// <summary>Distinct bytes for kernel parameter <paramref name="index"/>; floats keep an exponent below all-ones, so none is a NaN.</summary>
        private static byte[] Pattern(int index, Type t)
        {
            var bytes = new byte[Marshal.SizeOf(t)];
            for (int j = 0; j < bytes.Length; j++) bytes[j] = (byte)(17 * index + 3 * j + 1);
            if (t == typeof(float) || t == typeof(double)) bytes[bytes.Length - 1] = 0x3F;
            return bytes;
        }

        private static object Value(byte[] bytes, Type t)
        {
            if (t == typeof(ulong)) return BitConverter.ToUInt64(bytes, 0);
            if (t == typeof(long)) return BitConverter.ToInt64(bytes, 0);
            if (t == typeof(uint)) return BitConverter.ToUInt32(bytes, 0);
            if (t == typeof(int)) return BitConverter.ToInt32(bytes, 0);
            if (t == typeof(float)) return BitConverter.ToSingle(bytes, 0);
            if (t == typeof(double)) return BitConverter.ToDouble(bytes, 0);
            fixed (byte* p = bytes) return Marshal.PtrToStructure((IntPtr)p, t)!;
        }

        [TestMethod]
        public void EachLauncher_HandsEachArgumentsBytesToTheLaunch_AtItsPtxPosition()
        {
            var ptx = PtxEntries();
            var problems = new List<string>();
            string? launchedEntry = null;
            KernelGrid launchedGrid = default;
            byte[][] seen = Array.Empty<byte[]>();
            PtxParam[] current = Array.Empty<PtxParam>();
            var launchers = new CudaLaunchers((entry, grid, args) =>
            {
                launchedEntry = entry;
                launchedGrid = grid;
                seen = new byte[current.Length][];
                for (int i = 0; i < current.Length; i++)
                    seen[i] = new ReadOnlySpan<byte>(args[i], current[i].Bytes).ToArray();
            });
            foreach (var (method, entry) in Launchers())
            {
                ParameterInfo[] ps = KernelParameters(method);
                current = ptx[entry];
                if (ps.Length != current.Length) continue; // reported by LauncherParameters_MatchThePtxParamLists_InCountSizeAndType
                var expected = ps.Select((p, i) => Pattern(i, p.ParameterType)).ToArray();
                var arguments = new object[ps.Length + 1];
                arguments[0] = new KernelGrid(7, 3, 40);
                for (int i = 0; i < ps.Length; i++) arguments[i + 1] = Value(expected[i], ps[i].ParameterType);
                launchedEntry = null;
                method.Invoke(launchers, arguments);
                if (launchedEntry != entry)
                {
                    problems.Add($"CudaLaunchers.{method.Name} launched {launchedEntry ?? "nothing"}, not {entry}");
                    continue;
                }
                if (launchedGrid.X != 7 || launchedGrid.Y != 3 || launchedGrid.SharedBytes != 40)
                    problems.Add($"CudaLaunchers.{method.Name}: the grid arrived as {launchedGrid.X}×{launchedGrid.Y}, {launchedGrid.SharedBytes} shared bytes; it was 7×3, 40");
                for (int i = 0; i < ps.Length; i++)
                    if (!seen[i].AsSpan().SequenceEqual(expected[i].AsSpan(0, current[i].Bytes)))
                        problems.Add($"CudaLaunchers.{method.Name} ({entry}): PTX parameter {i} received [{BitConverter.ToString(seen[i])}], " +
                            $"not the bytes of argument {i} ({ps[i].Name}) [{BitConverter.ToString(expected[i])}]");
            }
            Assert.AreEqual(0, problems.Count, string.Join(Environment.NewLine, problems));
        }
    }
}
