// Shared plumbing of the sample programs, linked into each one (see samples/Common/Sample.props):
// the options every sample takes, the exit-code contract, the console and JSON output, progress bars.
//
//   --device cpu|cuda|auto   the engine's backend (auto: CUDA when usable, else the CPU, saying why)
//   --out FOLDER             where PNG plots go (no plots without it)
//   --json                   one JSON document on stdout, nothing else there
//   --small                  smaller sizes, for the smoke tests
//   --seed N, --threads N    the engine's seed and CPU worker threads
//
// Exit codes: 0 success, 1 runtime failure (message on stderr), 2 bad arguments (ONE line on stderr, never a stack
// trace: every number option parses its own token and reports what it expected; --out is checked before the work).
using System;
using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;


namespace InitCore.Samples
{
    /// <summary>A sample's command line: the common options, the sample's own, and the run wrapper.</summary>
    internal sealed class SampleCli
    {
        /// <summary>Exit code of a successful run.</summary>
        public const int Success = 0;

        /// <summary>Exit code of a run that failed while working (the message is on stderr).</summary>
        public const int RuntimeFailure = 1;

        /// <summary>Exit code of a command line that did not parse (the message is on stderr).</summary>
        public const int BadArguments = 2;

        private Func<SampleContext, int>? _body;

        /// <summary>Creates the command with the common options.</summary>
        /// <param name="name">The program's name, used in messages.</param>
        /// <param name="description">What the sample shows (the help text's first line).</param>
        /// <param name="defaultSeed">The seed when --seed is not given.</param>
        public SampleCli(string name, string description, ulong defaultSeed = 42)
        {
            Name = name;
            Command = new RootCommand(description);
            Device = Add(new Option<string>("--device")
            {
                Description = "Backend: cpu, cuda (fails when CUDA is not usable) or auto (CUDA when usable, else the CPU).",
                DefaultValueFactory = _ => "auto",
            });
            Device.AcceptOnlyFromAmong("cpu", "cuda", "auto");
            Out = Add(new Option<string?>("--out") { HelpName = "folder", Description = "Folder for the PNG plots (created if missing); no plots without it." });
            Json = Add(new Option<bool>("--json") { Description = "Print the results as one JSON document on stdout (tables and progress are not shown)." });
            Small = Add(new Option<bool>("--small") { Description = "Run at small sizes (for the smoke tests)." });
            Seed = Add(new Option<ulong>("--seed")
            {
                HelpName = "n",
                Description = "Seed of the engine's generator.",
                DefaultValueFactory = _ => defaultSeed,
                CustomParser = r => ParseToken(r, "--seed", $"a whole number from 0 to {ulong.MaxValue}",
                    (string t, out ulong v) => ulong.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out v), _ => true),
            });
            Threads = Add(new Option<int?>("--threads")
            {
                HelpName = "n",
                Description = "CPU worker threads (default: all logical processors).",
                CustomParser = r => ParseToken(r, "--threads", "a whole number of at least 1", (string t, out int v) => TryParseInt(t, out v), v => v >= 1),
            });
        }

        /// <summary>The program's name.</summary>
        public string Name { get; }

        /// <summary>The root command; add the sample's own options with <see cref="Add{T}"/>.</summary>
        public RootCommand Command { get; }

        /// <summary>--device.</summary>
        public Option<string> Device { get; }

        /// <summary>--out.</summary>
        public Option<string?> Out { get; }

        /// <summary>--json.</summary>
        public Option<bool> Json { get; }

        /// <summary>--small.</summary>
        public Option<bool> Small { get; }

        /// <summary>--seed.</summary>
        public Option<ulong> Seed { get; }

        /// <summary>--threads.</summary>
        public Option<int?> Threads { get; }

        /// <summary>Adds a sample-specific option and returns it.</summary>
        public Option<T> Add<T>(Option<T> option)
        {
            Command.Options.Add(option);
            return option;
        }

        /// <summary>Adds an integer option that must be at least <paramref name="minimum"/>.</summary>
        public Option<int> AddInt(string name, string description, int defaultValue, int minimum = 1) => Add(new Option<int>(name)
        {
            HelpName = "n",
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = r => ParseToken(r, name, $"a whole number of at least {minimum}", (string t, out int v) => TryParseInt(t, out v), v => v >= minimum),
        });

        /// <summary>Adds a number option that must be positive and finite.</summary>
        public Option<double> AddPositive(string name, string description, double defaultValue) => Add(new Option<double>(name)
        {
            HelpName = "x",
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = r => ParseToken(r, name, "a positive number",
                (string t, out double v) => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out v), v => v > 0 && !double.IsInfinity(v)),
        });

        private delegate bool TryParse<T>(string token, out T value);

        /// <summary>
        /// The one parser of every number option: the option's token as a <typeparamref name="T"/> that passes
        /// <paramref name="valid"/>, or an error saying what <paramref name="name"/> expects and what it got (the parser
        /// reports it as a bad argument: exit code 2, nothing thrown).
        /// </summary>
        private static T ParseToken<T>(ArgumentResult result, string name, string expected, TryParse<T> parse, Func<T, bool> valid) where T : struct
        {
            string token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            if (parse(token.Trim(), out T value) && valid(value)) return value;
            result.AddError($"{name} must be {expected}, got '{token}'.");
            return default;
        }

        private static bool TryParseInt(string token, out int value) =>
            int.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

        /// <summary>
        /// The version the samples print for --version: the InitCore package's (its informational version without the
        /// source revision after '+').
        /// </summary>
        public static string PackageVersion
        {
            get
            {
                string v = typeof(Engine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                    ?? typeof(Engine).Assembly.GetName().Version?.ToString() ?? "unknown";
                int plus = v.IndexOf('+');
                return plus < 0 ? v : v.Substring(0, plus);
            }
        }

        /// <summary>Sets what the sample does with its parsed options; returns this command line.</summary>
        public SampleCli Runs(Func<SampleContext, int> body)
        {
            _body = body;
            return this;
        }

        /// <summary>
        /// Parses <paramref name="args"/> and runs the body given to <see cref="Runs"/>: bad arguments (an unknown option, a value that
        /// does not parse or is out of range, an --out that cannot be written) give exit code 2 and one line on
        /// <paramref name="stderr"/>, before any work; an exception from the body gives exit code 1 and its message on
        /// <paramref name="stderr"/>; --help prints the usage and --version the package version on <paramref name="stdout"/>.
        /// </summary>
        public int Run(string[] args, TextWriter stdout, TextWriter stderr)
        {
            Func<SampleContext, int> body = _body ?? throw new InvalidOperationException($"{Name}: no body; call Runs(...) first.");
            Command.SetAction(parse =>
            {
                try
                {
                    using var context = new SampleContext(this, parse, stdout, stderr);
                    return body(context);
                }
                catch (CudaUnavailableException ex)
                {
                    // --device cuda on a machine without a usable GPU: the message lists every library tried.
                    stderr.WriteLine($"{Name} failed: CUDA is not usable: {ex.Message}");
                    return RuntimeFailure;
                }
                catch (Exception ex)
                {
                    stderr.WriteLine($"{Name} failed: {ex.GetType().Name}: {ex.Message}");
                    return RuntimeFailure;
                }
            });
            foreach (VersionOption version in Command.Options.OfType<VersionOption>()) version.Action = new PrintVersion(Name, stdout);

            ParseResult result;
            try
            {
                result = Command.Parse(args);
            }
            catch (Exception ex)
            {
                // A parser that throws is a bug in the sample's options; the user still gets one line, not a stack trace.
                return BadArgumentsLine(stderr, $"the command line could not be parsed: {ex.Message}");
            }
            if (result.Errors.Count > 0) return BadArgumentsLine(stderr, string.Join("; ", result.Errors.Select(e => e.Message)));
            if (ReferenceEquals(result.Action, Command.Action) && CheckOut(result.GetValue(Out)) is string outError) return BadArgumentsLine(stderr, outError);
            return result.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }

        /// <summary>Writes a bad-arguments message as one line (the parser's messages may hold line breaks) and returns exit code 2.</summary>
        private int BadArgumentsLine(TextWriter stderr, string message)
        {
            string oneLine = Regex.Replace(message, @"\s*[\r\n]+\s*", " ").Trim();
            stderr.WriteLine($"{Name}: {oneLine} Run '{Name} --help' for the options.");
            return BadArguments;
        }

        /// <summary>
        /// Checks --out before the work starts: the folder is created when missing and must take a file. Returns the
        /// problem, or null when --out is usable or absent.
        /// </summary>
        internal static string? CheckOut(string? folder)
        {
            if (string.IsNullOrEmpty(folder)) return null;
            string full;
            try
            {
                full = Path.GetFullPath(folder);
            }
            catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
            {
                return $"--out must be a folder path, got '{folder}': {ex.Message}";
            }
            if (File.Exists(full)) return $"--out must be a folder, but '{full}' is a file; give another path or remove the file.";
            try
            {
                Directory.CreateDirectory(full);
                using (new FileStream(Path.Combine(full, $".initcore-write-check-{Guid.NewGuid():N}"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
                return null;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return $"--out folder '{full}' cannot be written: {ex.Message}";
            }
        }

        /// <summary>--version: the package version on stdout.</summary>
        private sealed class PrintVersion : SynchronousCommandLineAction
        {
            private readonly string _name;
            private readonly TextWriter _stdout;

            public PrintVersion(string name, TextWriter stdout)
            {
                _name = name;
                _stdout = stdout;
            }

            public override int Invoke(ParseResult parseResult)
            {
                _stdout.WriteLine($"{_name} {PackageVersion}");
                return Success;
            }
        }
    }
}
