using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.IO;
using System.Collections;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text.Json;
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
            Console = Json ? new ReportConsole(TextWriter.Null, terminal: false) : new ReportConsole(stdout, terminal: IsTerminal(stdout));
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

        /// <summary>
        /// The human report: stdout, or a sink under --json. Tables and rules fit the terminal, or 80 columns when stdout
        /// is a file or a pipe; text is never hard-wrapped there (a file has no width).
        /// </summary>
        public ReportConsole Console { get; }

        /// <summary>The error stream.</summary>
        public TextWriter Stderr { get; }

        /// <summary>The PNG files written so far (full paths).</summary>
        public IReadOnlyList<string> Plots => _plots;

        /// <summary>Seconds since the run started.</summary>
        public double ElapsedSeconds => _clock.Elapsed.TotalSeconds;

        /// <summary>Creates the engine the options ask for and prints the backend line (which backend, and why).</summary>
        /// <exception cref="CudaUnavailableException">--device cuda and CUDA is not usable.</exception>
        public Engine CreateEngine()
        {
            var engine = Engine.Create(EngineOptions());
            ReportBackend(engine);
            return engine;
        }

        /// <summary>The engine settings the options ask for (--device, --seed, --threads).</summary>
        public EngineOptions EngineOptions() => new EngineOptions { Backend = Backend, Seed = Seed, ThreadCount = Parse.GetValue(_cli.Threads) };

        /// <summary>The backend line: which backend, why, and what it is.</summary>
        public static string BackendLine(Engine engine) => $"{engine.BackendReason} — {engine.BackendDescription}";

        /// <summary>Prints the backend line, never wrapped, whatever its length and the terminal's width.</summary>
        public void ReportBackend(Engine engine) =>
            Console.WriteUnwrapped(new Markup($"[bold]{Markup.Escape(engine.BackendReason)}[/] [grey]— {Markup.Escape(engine.BackendDescription)}[/]\n"));

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

        /// <summary>
        /// Writes <paramref name="document"/> (an anonymous object, say) as indented JSON on stdout through the engine's
        /// JSON writer (snake_case names, NaN and ±∞ as null, →, √ and ± kept readable), with the files written into
        /// --out under one key, "files" (an empty list without --out).
        /// </summary>
        /// <exception cref="ArgumentException">The document is not an object, sets "files", or holds a value JSON cannot represent.</exception>
        public void WriteJson(object document)
        {
            if (document is null || document is string || document is IEnumerable || IsScalar(document))
                throw new ArgumentException($"The JSON document must be an object, found {document?.GetType().Name ?? "null"}.", nameof(document));
            PropertyInfo[] properties = Properties(document.GetType());
            if (properties.Any(p => Name(p) == "files")) throw new ArgumentException("The document must not set \"files\": WriteJson adds the list of files written.", nameof(document));
            var json = new JsonWriter(indented: true).StartObject();
            foreach (PropertyInfo p in properties) WriteValue(json.Name(Name(p)), p.GetValue(document));
            json.Name("files").StartArray();
            foreach (string plot in _plots) json.String(plot);
            _stdout.WriteLine(json.EndArray().EndObject().ToString());
            _stdout.Flush();
        }

        /// <summary>One value: objects by their public properties (snake_case names), sequences as arrays, dictionaries as objects.</summary>
        private static void WriteValue(JsonWriter json, object? value)
        {
            switch (value)
            {
                case null: json.Null(); break;
                case string s: json.String(s); break;
                case bool b: json.Bool(b); break;
                case double d: json.Number(d); break;
                // A float as its own shortest form (0.1f is 0.1, not 0.10000000149011612).
                case float f: json.Number(float.IsFinite(f) ? double.Parse(f.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : double.NaN); break;
                case ulong u: json.Number(u); break;
                case Enum e: json.Number(Convert.ToInt64(e, CultureInfo.InvariantCulture)); break;
                case sbyte or byte or short or ushort or int or uint or long: json.Number(Convert.ToInt64(value, CultureInfo.InvariantCulture)); break;
                case IDictionary map:
                    json.StartObject();
                    foreach (DictionaryEntry entry in map) WriteValue(json.Name(Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? ""), entry.Value);
                    json.EndObject();
                    break;
                case IEnumerable items:
                    json.StartArray();
                    foreach (object? item in items) WriteValue(json, item);
                    json.EndArray();
                    break;
                default:
                    if (IsScalar(value)) throw new ArgumentException($"A {value.GetType().Name} cannot be written as JSON here; convert it to a number or a string.", nameof(value));
                    json.StartObject();
                    foreach (PropertyInfo p in Properties(value.GetType())) WriteValue(json.Name(Name(p)), p.GetValue(value));
                    json.EndObject();
                    break;
            }
        }

        private static bool IsScalar(object value) => value.GetType().IsPrimitive || value is decimal or DateTime or DateTimeOffset or TimeSpan or Guid;

        private static PropertyInfo[] Properties(Type type) =>
            type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.GetIndexParameters().Length == 0).ToArray();

        private static string Name(PropertyInfo p) => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name);

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

        /// <summary>
        /// A table in the samples' style: the row's label first, then right-aligned numbers. To fit an 80-column
        /// terminal whole, only the label column should need to wrap: a header wider than its numbers breaks its line
        /// ("train\nloss"), so that the number columns stay narrower than the label column (the table narrows its
        /// widest columns first).
        /// </summary>
        public static Table NewTable(string title, params string[] columns)
        {
            var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(title)}[/]");
            for (int i = 0; i < columns.Length; i++)
            {
                var column = new TableColumn(Markup.Escape(columns[i]));
                if (i > 0) column.RightAligned();
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

        internal static IAnsiConsole CreateConsole(TextWriter writer, bool terminal, int? width = null)
        {
            IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(writer),
                Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
                ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
                Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
            });
            if (width is int w) console.Profile.Width = w;
            return console;
        }

        /// <inheritdoc />
        public void Dispose()
        {
            _stdout.Flush();
            Stderr.Flush();
        }
    }

    /// <summary>
    /// The samples' report console. On a terminal everything fits its width. Into a file or a pipe, tables and rules
    /// fit <see cref="RedirectedWidth"/> columns (an 80-column terminal shows them whole) and text is written as it is,
    /// never hard-wrapped mid-sentence. <see cref="WriteUnwrapped"/> never wraps, anywhere.
    /// </summary>
    internal sealed class ReportConsole : IAnsiConsole
    {
        /// <summary>The width of tables and rules when stdout is not a terminal.</summary>
        public const int RedirectedWidth = 80;

        // Wide enough that no line of text is ever wrapped; nothing is padded to it (text is not justified).
        private const int Unbounded = 100_000;

        private readonly IAnsiConsole _fit;    // tables, rules: the terminal's width, or 80 columns
        private readonly IAnsiConsole _text;   // text: the terminal's width, or unbounded
        private readonly IAnsiConsole _wide;   // never wrapped

        public ReportConsole(TextWriter writer, bool terminal)
        {
            // Three views of one writer: each writes synchronously, so their output keeps its order.
            _fit = SampleContext.CreateConsole(writer, terminal, terminal ? null : RedirectedWidth);
            _text = terminal ? _fit : SampleContext.CreateConsole(writer, terminal, Unbounded);
            _wide = SampleContext.CreateConsole(writer, terminal, Unbounded);
        }

        /// <inheritdoc />
        public Profile Profile => _fit.Profile;

        /// <inheritdoc />
        public IAnsiConsoleCursor Cursor => _fit.Cursor;

        /// <inheritdoc />
        public IAnsiConsoleInput Input => _fit.Input;

        /// <inheritdoc />
        public IExclusivityMode ExclusivityMode => _fit.ExclusivityMode;

        /// <inheritdoc />
        public RenderPipeline Pipeline => _fit.Pipeline;

        /// <inheritdoc />
        public void Clear(bool home) => _fit.Clear(home);

        /// <summary>
        /// Writes text (markup, plain text) unwrapped into a file or a pipe, and tables at the fitted width; a rule is
        /// drawn at the fitted width, or as long as its title needs.
        /// </summary>
        public void Write(IRenderable renderable)
        {
            if (renderable is Markup or Text or Paragraph)
            {
                _text.Write(renderable);
            }
            else if (renderable is Rule { Title: string title } && !ReferenceEquals(_text, _fit) && Markup.Remove(title).Length + 8 > RedirectedWidth)
            {
                _text.Write(new Markup($"── {title} ───\n"));
            }
            else
            {
                _fit.Write(renderable);
            }
        }

        /// <inheritdoc />
        public void WriteAnsi(Action<AnsiWriter> action) => _fit.WriteAnsi(action);

        /// <summary>Writes <paramref name="renderable"/> on lines of any length, on a terminal too (the backend line).</summary>
        public void WriteUnwrapped(IRenderable renderable) => _wide.Write(renderable);
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
