using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using InitCore.Backends.Cuda;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Support
{
    /// <summary>One kernel launch as the C# CUDA backend writes it: the size and name of each argument.</summary>
    public sealed record LaunchCall(string Entry, int[] Sizes, string[] Names, string Where);

    /// <summary>
    /// Reads the CUDA backend's sources (src/InitCore/Backends/Cuda/*.cs) and, for every
    /// <c>Launch("entry", grid, gridY, shared, args)</c>, the arguments it passes: the <c>args[i] = &amp;x</c>
    /// assignments nearest before the call in its method, and the declared type of each <c>x</c>. The
    /// launch code builds <c>void*</c> arrays by hand, so this is how a test can compare it with the PTX's
    /// .param lists. Inconclusive when the sources are not next to the test binaries' repository.
    /// </summary>
    public static class LaunchSourceReader
    {
        private static readonly Dictionary<string, int> TypeSizes = new Dictionary<string, int>
        {
            ["ulong"] = 8, ["long"] = 8, ["double"] = 8, ["nuint"] = 8, ["IntPtr"] = 8,
            ["uint"] = 4, ["int"] = 4, ["float"] = 4,
            ["FillTaskNative"] = Marshal.SizeOf<FillTaskNative>(),
            ["StatsConfigNative"] = Marshal.SizeOf<StatsConfigNative>(),
            ["StatsPartialNative"] = Marshal.SizeOf<StatsPartialNative>(),
        };

        private static readonly string TypeAlternatives = string.Join("|", TypeSizes.Keys);

        public static Dictionary<string, List<LaunchCall>> Read(out string sourceDir)
        {
            sourceDir = "";
            for (DirectoryInfo? d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            {
                string candidate = Path.Combine(d.FullName, "src", "InitCore", "Backends", "Cuda");
                if (Directory.Exists(candidate)) { sourceDir = candidate; break; }
            }
            if (sourceDir.Length == 0) Assert.Inconclusive($"src/InitCore/Backends/Cuda was not found above {AppContext.BaseDirectory}; run the tests from the repository.");
            var result = new Dictionary<string, List<LaunchCall>>();
            foreach (string file in Directory.GetFiles(sourceDir, "*.cs"))
            {
                string text = File.ReadAllText(file).Replace("\r\n", "\n");
                var methods = Regex.Matches(text, @"^[ \t]*(?:internal|private|public|protected)[^\n;=]*\(", RegexOptions.Multiline).Select(m => m.Index).ToArray();
                foreach (Match call in Regex.Matches(text, @"\bLaunch\(\s*""(\w+)""\s*,(?<rest>.*?)\);", RegexOptions.Singleline))
                {
                    string entry = call.Groups[1].Value;
                    string rest = call.Groups["rest"].Value;
                    string argsVar = rest.Substring(rest.LastIndexOf(',') + 1).Trim();
                    int line = text.Take(call.Index).Count(c => c == '\n') + 1;
                    string where = $"{Path.GetFileName(file)}:{line}";
                    int start = methods.Where(i => i < call.Index).DefaultIfEmpty(0).Max();
                    string body = text.Substring(start, call.Index - start);
                    var nearest = new SortedDictionary<int, string>();
                    foreach (Match a in Regex.Matches(body, $@"\b{Regex.Escape(argsVar)}\[(\d+)\]\s*=\s*&(\w+)"))
                        nearest[int.Parse(a.Groups[1].Value)] = a.Groups[2].Value;
                    int count = nearest.Count == 0 ? 0 : nearest.Keys.Max() + 1;
                    var sizes = new int[count];
                    var names = new string[count];
                    for (int i = 0; i < count; i++)
                    {
                        if (!nearest.TryGetValue(i, out string? name))
                        {
                            names[i] = "(unset)";
                            sizes[i] = -1;
                            continue;
                        }
                        names[i] = name;
                        sizes[i] = SizeOf(body, name);
                    }
                    if (!result.TryGetValue(entry, out var list)) result[entry] = list = new List<LaunchCall>();
                    list.Add(new LaunchCall(entry, sizes, names, where));
                }
            }
            return result;
        }

        /// <summary>The size of the nearest declaration of <paramref name="name"/> in <paramref name="body"/>, or -1.</summary>
        private static int SizeOf(string body, string name)
        {
            string n = Regex.Escape(name);
            var patterns = new[]
            {
                $@"\b(?<t>{TypeAlternatives})\s+{n}\b",                 // int outer / ulong p = ...
                $@"\b(?<t>{TypeAlternatives})\s+[^;{{}}]*?,\s*{n}\s*=", // ulong a = ..., n = ...
                $@"\b{n}\s*=\s*new\s+(?<t>{TypeAlternatives})\b",       // var cfg = new StatsConfigNative
            };
            int best = -1, size = -1;
            foreach (string p in patterns)
                foreach (Match m in Regex.Matches(body, p))
                    if (m.Index > best) { best = m.Index; size = TypeSizes[m.Groups["t"].Value]; }
            return size;
        }
    }
}
