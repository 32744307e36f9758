using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.IO;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace InitCore.Samples
{
    /// <summary>
    /// What a sample's body works with: the parsed options, a console for the human report (stdout, or nowhere
    /// under --json so stdout stays one JSON document), progress bars on stderr, the plot folder and JSON output.
    /// </summary>
    internal sealed class SampleContext : IDisposable
    {
        private static readonly JsonSerializerOptions JsonOptions = new JsonSerializerOptions
        {
            WriteIndented = true,
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            // A diverging experiment has NaN and ∞ in its results; they are written as "NaN", "Infinity".
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,   // keep →, √ and ± readable
        };

        private readonly SampleCli _cli;
        private readonly TextWriter _stdout;
        private readonly IAnsiConsole _progressConsole;
        private readonly bool _progressBars;
        private readonly List<string> _plots = new List<string>();
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        internal SampleContext(SampleCli cli, ParseResult parse, TextWriter stdout, TextWriter stderr)
        {
            _cli = cli;
            Parse = parse;
            _stdout = stdout;
            Stderr = stderr;
            Json = parse.GetValue(cli.Json);
            Small = parse.GetValue(cli.Small);
            Seed = parse.GetValue(cli.Seed);
            OutFolder = parse.GetValue(cli.Out) is string o && o.Length > 0 ? Path.GetFullPath(o) : null;
            Backend = parse.GetValue(cli.Device) switch
            {
                "cpu" => BackendKind.Cpu,
                "cuda" => BackendKind.Cuda,
                _ => BackendKind.Auto,
            };
            Console = Json ? CreateConsole(TextWriter.Null, terminal: false) : CreateConsole(stdout, terminal: IsTerminal(stdout));
            bool stderrTerminal = IsTerminal(stderr);
            _progressConsole = CreateConsole(stderr, stderrTerminal);
            // Progress bars only where someone watches them: never under --json, never into a file or a pipe.
            _progressBars = !Json && stderrTerminal;
        }

        /// <summary>The parsed command line.</summary>
        public ParseResult Parse { get; }

        /// <summary>The value of one of the sample's options.</summary>
        public T Get<T>(Option<T> option) => Parse.GetValue(option)!;

        /// <summary>--json: print one JSON document on stdout; <see cref="Console"/> then writes nowhere.</summary>
        public bool Json { get; }

        /// <summary>--small: shrink the sizes.</summary>
        public bool Small { get; }

        /// <summary>--seed.</summary>
        public ulong Seed { get; }

        /// <summary>--device.</summary>
        public BackendKind Backend { get; }

        /// <summary>--out as a full path, or null when no plots were asked for.</summary>
        public string? OutFolder { get; }

        /// <summary>The human report: stdout, or a sink under --json.</summary>
        public IAnsiConsole Console { get; }

        /// <summary>The error stream.</summary>
        public TextWriter Stderr { get; }

        /// <summary>The PNG files written so far (full paths).</summary>
        public IReadOnlyList<string> Plots => _plots;

        /// <summary>Seconds since the run started.</summary>
        public double ElapsedSeconds => _clock.Elapsed.TotalSeconds;

        /// <summary>Creates the engine the options ask for and prints the backend line (which backend, and why).</summary>
        /// <exception cref="InitCore.Cuda.CudaUnavailableException">--device cuda and CUDA is not usable.</exception>
        public Engine CreateEngine()
        {
            var engine = Engine.Create(EngineOptions());
            ReportBackend(engine);
            return engine;
        }

        /// <summary>The engine settings the options ask for (--device, --seed, --threads).</summary>
        public EngineOptions EngineOptions() => new EngineOptions { Backend = Backend, Seed = Seed, ThreadCount = Parse.GetValue(_cli.Threads) };

        /// <summary>Prints the backend line: which backend, why, and what it is.</summary>
        public void ReportBackend(Engine engine) =>
            Console.MarkupLineInterpolated($"[bold]{engine.BackendReason}[/] [grey]— {engine.BackendDescription}[/]");

        /// <summary>The backend for the JSON document.</summary>
        public static object BackendJson(Engine engine) => new
        {
            kind = engine.Backend == BackendKind.Cuda ? "cuda" : "cpu",
            reason = engine.BackendReason,
            description = engine.BackendDescription,
        };

        /// <summary>
        /// The full path of a plot named <paramref name="fileName"/> in the --out folder (created when missing), or
        /// null without --out. The path is remembered for <see cref="Plots"/>.
        /// </summary>
        public string? PlotPath(string fileName)
        {
            if (OutFolder is null) return null;
            Directory.CreateDirectory(OutFolder);
            string path = Path.Combine(OutFolder, fileName);
            _plots.Add(path);
            return path;
        }

        /// <summary>Says where the plots went, or how to get them.</summary>
        public void ReportPlots()
        {
            if (OutFolder is null)
            {
                Console.MarkupLine("[grey]plots: none written; add --out FOLDER to write the PNG charts.[/]");
                return;
            }
            Console.MarkupLineInterpolated($"[bold]plots[/] ({_plots.Count} PNG) in {OutFolder}:");
            foreach (string p in _plots) Console.MarkupLineInterpolated($"  {Path.GetFileName(p)}");
        }

        /// <summary>Writes <paramref name="document"/> as JSON on stdout (snake_case names).</summary>
        public void WriteJson(object document)
        {
            _stdout.WriteLine(JsonSerializer.Serialize(document, JsonOptions));
            _stdout.Flush();
        }

        /// <summary>
        /// Runs <paramref name="work"/> with progress bars on stderr when it is a terminal (and not under --json);
        /// otherwise the bars are silent and the work simply runs.
        /// </summary>
        public T WithProgress<T>(Func<ProgressBars, T> work)
        {
            if (!_progressBars) return work(new ProgressBars(null));
            return _progressConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(ctx => work(new ProgressBars(ctx)));
        }

        /// <summary>Runs <paramref name="work"/> with progress bars (see <see cref="WithProgress{T}(Func{ProgressBars, T})"/>).</summary>
        public void WithProgress(Action<ProgressBars> work) => WithProgress(p => { work(p); return 0; });

        /// <summary>A table in the samples' style.</summary>
        public static Table NewTable(string title, params string[] columns)
        {
            var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(title)}[/]");
            foreach (string c in columns)
            {
                var column = new TableColumn(Markup.Escape(c));
                if (c.Length > 0 && c != columns[0]) column.RightAligned();
                table.AddColumn(column);
            }
            return table;
        }

        /// <summary>A plain-text cell (no markup is interpreted).</summary>
        public static IRenderable Cell(string text) => new Text(text);

        /// <summary>A number cell, coloured: green when <paramref name="good"/>, red when <paramref name="bad"/>.</summary>
        public static IRenderable Number(double value, string format = "F3", bool good = false, bool bad = false)
        {
            string text = double.IsNaN(value) ? "NaN" : double.IsPositiveInfinity(value) ? "∞" : double.IsNegativeInfinity(value) ? "−∞"
                : value.ToString(format, System.Globalization.CultureInfo.InvariantCulture);
            return new Text(text, good ? new Style(Color.Green) : bad ? new Style(Color.Red) : Style.Plain);
        }

        private static bool IsTerminal(TextWriter writer) =>
            (ReferenceEquals(writer, System.Console.Out) && !System.Console.IsOutputRedirected) ||
            (ReferenceEquals(writer, System.Console.Error) && !System.Console.IsErrorRedirected);

        private static IAnsiConsole CreateConsole(TextWriter writer, bool terminal)
        {
            IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(writer),
                Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
                ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
                Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
            });
            if (!terminal) console.Profile.Width = 120;   // a file or a pipe has no width; keep tables on one line
            return console;
        }

        /// <inheritdoc />
        public void Dispose()
        {
            _stdout.Flush();
            Stderr.Flush();
        }
    }

    /// <summary>Progress bars (silent when nobody watches): add one per long step and advance it.</summary>
    internal sealed class ProgressBars
    {
        private readonly ProgressContext? _context;

        internal ProgressBars(ProgressContext? context) => _context = context;

        /// <summary>True when the bars are drawn live (then other console output should wait until they finish).</summary>
        public bool IsLive => _context is not null;

        /// <summary>Adds a bar that completes at <paramref name="total"/>; its clock starts now, or with <see cref="ProgressBar.Start"/>
        /// or its first step when <paramref name="start"/> is false (a bar shown ahead of its work).</summary>
        public ProgressBar Add(string description, double total, bool start = true) =>
            new ProgressBar(_context?.AddTask(Markup.Escape(description), autoStart: start, maxValue: Math.Max(total, 1e-9)));
    }

    /// <summary>One progress bar.</summary>
    internal sealed class ProgressBar
    {
        private readonly ProgressTask? _task;

        internal ProgressBar(ProgressTask? task) => _task = task;

        /// <summary>Starts the bar's clock (once).</summary>
        public void Start()
        {
            if (_task is not null && !_task.IsStarted) _task.StartTask();
        }

        /// <summary>Advances the bar (starting its clock on the first step).</summary>
        public void Increment(double by = 1)
        {
            if (_task is null) return;
            if (!_task.IsStarted) _task.StartTask();
            _task.Increment(by);
        }

        /// <summary>Fills the bar.</summary>
        public void Complete()
        {
            if (_task is null) return;
            if (!_task.IsStarted) _task.StartTask();
            _task.Value = _task.MaxValue;
            _task.StopTask();
        }
    }
}
