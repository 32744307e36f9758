using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Samples.Tests.Support
{
    /// <summary>A sample's entry point: arguments, stdout, stderr → exit code.</summary>
    public delegate int SampleEntry(string[] args, TextWriter stdout, TextWriter stderr);

    /// <summary>One in-process run of a sample: its exit code and what it wrote.</summary>
    public sealed class SampleRun
    {
        private SampleRun(int exitCode, string stdout, string stderr)
        {
            ExitCode = exitCode;
            Stdout = stdout;
            Stderr = stderr;
        }

        public int ExitCode { get; }

        public string Stdout { get; }

        public string Stderr { get; }

        public static SampleRun Of(SampleEntry entry, params string[] args)
        {
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            int code = entry(args, stdout, stderr);
            return new SampleRun(code, stdout.ToString(), stderr.ToString());
        }

        /// <summary>Runs with --device cpu --small --json --out <paramref name="folder"/>, checks exit code 0 and returns the JSON document.</summary>
        public static JsonElement Json(SampleEntry entry, string folder, params string[] extra)
        {
            SampleRun run = Of(entry, new[] { "--device", "cpu", "--small", "--json", "--out", folder }.Concat(extra).ToArray());
            Assert.AreEqual(0, run.ExitCode, $"exit code; stderr:\n{run.Stderr}");
            // stdout holds exactly one JSON document: parsing the whole of it fails on anything else.
            using JsonDocument doc = JsonDocument.Parse(run.Stdout);
            AssertPlainJson(doc.RootElement);
            return doc.RootElement.Clone();
        }

        /// <summary>
        /// The JSON contract every sample keeps: the files written are listed under "files" (always there, a list, and
        /// under no other key), and no number is written as a string such as "NaN" or "Infinity" (they are null).
        /// </summary>
        public static void AssertPlainJson(JsonElement root)
        {
            Assert.AreEqual(JsonValueKind.Array, root.GetProperty("files").ValueKind, "the file list is \"files\"");
            Assert.IsFalse(root.TryGetProperty("plots", out _), "no second key for the file list");
            foreach (string s in Strings(root))
                Assert.IsFalse(s is "NaN" or "Infinity" or "-Infinity", $"a non-finite number written as the string \"{s}\" (expected null)");
        }

        private static System.Collections.Generic.IEnumerable<string> Strings(JsonElement e) => e.ValueKind switch
        {
            JsonValueKind.String => new[] { e.GetString()! },
            JsonValueKind.Array => e.EnumerateArray().SelectMany(Strings),
            JsonValueKind.Object => e.EnumerateObject().SelectMany(p => Strings(p.Value)),
            _ => Array.Empty<string>(),
        };

        /// <summary>Checks that <paramref name="folder"/> holds every file named, each a non-empty PNG.</summary>
        public static void AssertPngs(string folder, JsonElement plots, params string[] names)
        {
            string[] listed = plots.EnumerateArray().Select(p => Path.GetFileName(p.GetString()!)).ToArray();
            foreach (string name in names)
            {
                CollectionAssert.Contains(listed, name, $"the JSON lists {name}");
                string path = Path.Combine(folder, name);
                Assert.IsTrue(File.Exists(path), $"{path} exists");
                byte[] head = File.ReadAllBytes(path).Take(8).ToArray();
                CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, head, $"{name} is a PNG");
            }
        }
    }
}
