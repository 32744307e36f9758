using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace InitCore.Tests.Support
{
    /// <summary>One recorded torch call: what it was, and the float32 bits torch produced.</summary>
    internal sealed class TorchStep
    {
        internal string Op { get; init; } = "";
        internal int[] Shape { get; init; } = Array.Empty<int>();
        internal Dictionary<string, double> Numbers { get; init; } = new();
        internal Dictionary<string, string> Strings { get; init; } = new();
        internal uint[] Bits { get; init; } = Array.Empty<uint>();
        internal uint[] BiasBits { get; init; } = Array.Empty<uint>();

        internal double Number(string key) => Numbers[key];

        public override string ToString() =>
            $"{Op}({string.Join(", ", Shape)}{string.Concat(Numbers.Select(kv => $", {kv.Key}={kv.Value.ToString("R", CultureInfo.InvariantCulture)}"))}{string.Concat(Strings.Select(kv => $", {kv.Key}={kv.Value}"))})";
    }

    /// <summary>A torch.manual_seed followed by recorded calls.</summary>
    internal sealed class TorchSequence
    {
        internal string Name { get; init; } = "";
        internal ulong Seed { get; init; }
        internal TorchStep[] Steps { get; init; } = Array.Empty<TorchStep>();
    }

    /// <summary>How one replayed step compares with torch's bits.</summary>
    internal sealed class StepResult
    {
        internal TorchStep Step { get; init; } = new();
        internal int Index { get; init; }
        internal int Mismatches { get; init; }
        internal long MaxUlp { get; init; }
        internal double MaxAbs { get; init; }
        internal string FirstMismatch { get; init; } = "";

        public override string ToString() => $"step {Index} {Step}: {Mismatches} mismatching values, max {MaxUlp} ulp, max |Δ| {MaxAbs:G3}{FirstMismatch}";
    }

    /// <summary>
    /// Loads tests/InitCore.Tests/Fixtures/torch/torch_fixtures.json (written by
    /// tools/torch_fixtures.py with PyTorch) and replays its sequences with a <see cref="TorchGenerator"/>.
    /// </summary>
    internal static class TorchFixtures
    {
        private static readonly Lazy<(TorchSequence[] Sequences, string Version, Dictionary<string, Dictionary<string, string>> Tables)> Data = new(Load);

        internal static string FilePath => Path.Combine(AppContext.BaseDirectory, "Fixtures", "torch", "torch_fixtures.json");

        internal static string TorchVersion => Data.Value.Version;

        /// <summary>A column of one of the scalar-function tables ("math" in the JSON), as hex.</summary>
        internal static string Table(string table, string column) => Data.Value.Tables[table][column];

        internal static ulong[] ParseBits64(string hex)
        {
            var bits = new ulong[hex.Length / 16];
            for (int i = 0; i < bits.Length; i++) bits[i] = ulong.Parse(hex.AsSpan(16 * i, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            return bits;
        }

        internal static TorchSequence Sequence(string name) =>
            Data.Value.Sequences.FirstOrDefault(s => s.Name == name) ?? throw new ArgumentException($"No fixture sequence '{name}' in {FilePath}.", nameof(name));

        internal static ulong ParseSeed(string text) =>
            text.StartsWith("-", StringComparison.Ordinal)
                ? unchecked((ulong)long.Parse(text, CultureInfo.InvariantCulture))
                : ulong.Parse(text, CultureInfo.InvariantCulture);

        internal static uint[] ParseBits(string hex)
        {
            var bits = new uint[hex.Length / 8];
            for (int i = 0; i < bits.Length; i++) bits[i] = uint.Parse(hex.AsSpan(8 * i, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            return bits;
        }

        private static (TorchSequence[], string, Dictionary<string, Dictionary<string, string>>) Load()
        {
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(FilePath));
            string version = doc.RootElement.GetProperty("torch_version").GetString() ?? "";
            var tables = new Dictionary<string, Dictionary<string, string>>();
            foreach (JsonProperty t in doc.RootElement.GetProperty("math").EnumerateObject())
                tables[t.Name] = t.Value.EnumerateObject().ToDictionary(c => c.Name, c => c.Value.GetString() ?? "");
            var sequences = new List<TorchSequence>();
            foreach (JsonElement s in doc.RootElement.GetProperty("sequences").EnumerateArray())
            {
                var steps = new List<TorchStep>();
                foreach (JsonElement st in s.GetProperty("steps").EnumerateArray())
                {
                    var numbers = new Dictionary<string, double>();
                    var strings = new Dictionary<string, string>();
                    int[] shape = Array.Empty<int>();
                    uint[] bits = Array.Empty<uint>(), biasBits = Array.Empty<uint>();
                    string op = "";
                    foreach (JsonProperty p in st.EnumerateObject())
                    {
                        switch (p.Name)
                        {
                            case "op": op = p.Value.GetString() ?? ""; break;
                            case "shape": shape = p.Value.EnumerateArray().Select(e => e.GetInt32()).ToArray(); break;
                            case "bits": bits = ParseBits(p.Value.GetString() ?? ""); break;
                            case "bias_bits": biasBits = ParseBits(p.Value.GetString() ?? ""); break;
                            default:
                                if (p.Value.ValueKind == JsonValueKind.Number) numbers[p.Name] = p.Value.GetDouble();
                                else strings[p.Name] = p.Value.GetString() ?? "";
                                break;
                        }
                    }
                    steps.Add(new TorchStep { Op = op, Shape = shape, Numbers = numbers, Strings = strings, Bits = bits, BiasBits = biasBits });
                }
                sequences.Add(new TorchSequence { Name = s.GetProperty("name").GetString() ?? "", Seed = ParseSeed(s.GetProperty("seed").GetString() ?? "0"), Steps = steps.ToArray() });
            }
            return (sequences.ToArray(), version, tables);
        }

        /// <summary>Replays every step of <paramref name="sequence"/> in order and compares each result with torch's bits.</summary>
        internal static List<StepResult> Replay(TorchSequence sequence)
        {
            using var engine = Engine.Create(new EngineOptions { Seed = 1 });
            var g = new TorchGenerator(sequence.Seed);
            var results = new List<StepResult>();
            for (int i = 0; i < sequence.Steps.Length; i++)
            {
                TorchStep s = sequence.Steps[i];
                float[] bias = Array.Empty<float>();
                float[] values = Run(engine, g, s, ref bias);
                if (s.Op == "manual_seed") continue;
                results.Add(Compare(i, s, values, s.Bits));
                if (s.BiasBits.Length > 0) results.Add(Compare(i, new TorchStep { Op = s.Op + ".bias", Numbers = s.Numbers }, bias, s.BiasBits));
            }
            return results;
        }

        private static float[] Run(Engine engine, TorchGenerator g, TorchStep s, ref float[] bias)
        {
            float[] data = new float[s.Shape.Aggregate(1, (a, b) => a * b)];
            switch (s.Op)
            {
                case "manual_seed":
                    g.ManualSeed(ParseSeed(s.Strings["seed"]));
                    return Array.Empty<float>();
                case "uniform":
                    Init.Uniform(engine, data, s.Number("a"), s.Number("b"), g);
                    return data;
                case "normal":
                    Init.Normal(engine, data, s.Number("mean"), s.Number("std"), g);
                    return data;
                case "trunc_normal":
                    Init.TruncatedNormal(engine, data, s.Number("mean"), s.Number("std"), s.Number("a"), s.Number("b"), g);
                    return data;
                case "kaiming_uniform":
                    Init.KaimingUniform(engine, data, s.Shape, s.Number("a"), Fans.ParseMode(s.Strings["mode"]), Gain.Parse(s.Strings["nonlinearity"]), g);
                    return data;
                case "kaiming_normal":
                    Init.KaimingNormal(engine, data, s.Shape, s.Number("a"), Fans.ParseMode(s.Strings["mode"]), Gain.Parse(s.Strings["nonlinearity"]), g);
                    return data;
                case "xavier_uniform":
                    Init.XavierUniform(engine, data, s.Shape, s.Number("gain"), g);
                    return data;
                case "xavier_normal":
                    Init.XavierNormal(engine, data, s.Shape, s.Number("gain"), g);
                    return data;
                case "orthogonal":
                    Init.Orthogonal(engine, data, s.Shape, s.Number("gain"), g);
                    return data;
                case "linear":
                case "conv2d":
                {
                    int inF = (int)s.Number("in"), outF = (int)s.Number("out");
                    int[] shape = s.Op == "linear" ? new[] { outF, inF } : new[] { outF, inF, (int)s.Number("kernel"), (int)s.Number("kernel") };
                    data = new float[shape.Aggregate(1, (a, b) => a * b)];
                    bias = new float[outF];
                    Init.PyTorchDefault(engine, data, shape, bias, g);
                    return data;
                }
                default:
                    throw new InvalidOperationException($"Unknown fixture op '{s.Op}'.");
            }
        }

        private static StepResult Compare(int index, TorchStep step, float[] actual, uint[] expected)
        {
            if (actual.Length != expected.Length)
                return new StepResult { Step = step, Index = index, Mismatches = Math.Max(actual.Length, expected.Length), MaxUlp = long.MaxValue, FirstMismatch = $"; length {actual.Length} ≠ torch's {expected.Length}" };
            int mismatches = 0;
            long maxUlp = 0;
            double maxAbs = 0;
            string first = "";
            for (int i = 0; i < actual.Length; i++)
            {
                uint bits = unchecked((uint)BitConverter.SingleToInt32Bits(actual[i]));
                if (bits == expected[i]) continue;
                float torch = BitConverter.Int32BitsToSingle(unchecked((int)expected[i]));
                if (mismatches++ == 0) first = $"; first at [{i}]: InitCore {actual[i]:R} (0x{bits:x8}), torch {torch:R} (0x{expected[i]:x8})";
                maxUlp = Math.Max(maxUlp, UlpDistance(actual[i], torch));
                maxAbs = Math.Max(maxAbs, Math.Abs((double)actual[i] - torch));
            }
            return new StepResult { Step = step, Index = index, Mismatches = mismatches, MaxUlp = maxUlp, MaxAbs = maxAbs, FirstMismatch = first };
        }

        /// <summary>How many representable floats lie between a and b (0 when equal; ±0 are 0 apart).</summary>
        internal static long UlpDistance(float a, float b)
        {
            static long Ordered(float x)
            {
                int i = BitConverter.SingleToInt32Bits(x);
                return i < 0 ? (long)int.MinValue - i : i;
            }
            return Math.Abs(Ordered(a) - Ordered(b));
        }
    }
}
