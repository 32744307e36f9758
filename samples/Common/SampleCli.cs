// Shared plumbing of the sample programs, linked into each one (see samples/Common/Sample.props):
// the options every sample takes, the exit-code contract, the console and JSON output, progress bars.
//
//   --device cpu|cuda|auto   the engine's backend (auto: CUDA when usable, else the CPU, saying why)
//   --out FOLDER             where PNG plots go (no plots without it)
//   --json                   one JSON document on stdout, nothing else there
//   --small                  smaller sizes, for the smoke tests
//   --seed N, --threads N    the engine's seed and CPU worker threads
//
// Exit codes: 0 success, 1 runtime failure (message on stderr), 2 bad arguments (message on stderr).
using System;
using System.CommandLine;
using System.IO;
using InitCore.Cuda;

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
            Seed = Add(new Option<ulong>("--seed") { HelpName = "n", Description = "Seed of the engine's generator.", DefaultValueFactory = _ => defaultSeed });
            Threads = Add(new Option<int?>("--threads") { HelpName = "n", Description = "CPU worker threads (default: all logical processors)." });
            Threads.Validators.Add(r =>
            {
                if (r.GetValueOrDefault<int?>() is int n && n < 1) r.AddError($"--threads must be at least 1, got {n}.");
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
        public Option<int> AddInt(string name, string description, int defaultValue, int minimum = 1)
        {
            var option = Add(new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue });
            option.Validators.Add(r =>
            {
                int v = r.GetValueOrDefault<int>();
                if (v < minimum) r.AddError($"{name} must be at least {minimum}, got {v}.");
            });
            return option;
        }

        /// <summary>Adds a number option that must be positive and finite.</summary>
        public Option<double> AddPositive(string name, string description, double defaultValue)
        {
            var option = Add(new Option<double>(name) { Description = description, DefaultValueFactory = _ => defaultValue });
            option.Validators.Add(r =>
            {
                double v = r.GetValueOrDefault<double>();
                if (!(v > 0) || double.IsInfinity(v)) r.AddError($"{name} must be a positive number, got {v}.");
            });
            return option;
        }

        /// <summary>
        /// Parses <paramref name="args"/> and runs <paramref name="body"/>: bad arguments give exit code 2 and the
        /// parser's messages on <paramref name="stderr"/>; an exception from the body gives exit code 1 and its message
        /// on <paramref name="stderr"/>; --help prints the usage on <paramref name="stdout"/>.
        /// </summary>
        public int Run(string[] args, TextWriter stdout, TextWriter stderr, Func<SampleContext, int> body)
        {
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

            ParseResult result = Command.Parse(args);
            if (result.Errors.Count > 0)
            {
                foreach (var error in result.Errors) stderr.WriteLine($"{Name}: {error.Message}");
                stderr.WriteLine($"Run '{Name} --help' for the options.");
                return BadArguments;
            }
            return result.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
    }
}
