using System;
using System.CommandLine;
using System.IO;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.Traces;

namespace MsrGen.Cli.Commands;

/// <summary>
/// <c>msrgen trace decode|replay|to-scenario FILE</c>: real msr / kvm:kvm_msr tracepoint text
/// (ftrace, trace-cmd report, perf script) decoded, replayed through every vPMU design, or turned
/// into a scenario. See docs/traces.md.
/// </summary>
internal static partial class TraceCommand
{
    public static Command Create(TextWriter output, TextWriter errors)
    {
        var command = new Command("trace", "Decode or replay a Linux MSR trace (msr tracepoints or kvm:kvm_msr; ftrace, trace-cmd report or perf script text).");
        command.Subcommands.Add(CreateDecode(output, errors));
        command.Subcommands.Add(CreateReplay(output, errors));
        command.Subcommands.Add(CreateToScenario(output, errors));
        return command;
    }

    private static Argument<string> FileArgument() =>
        new("file") { Description = "Trace text: /sys/kernel/tracing/trace or trace_pipe output, trace-cmd report, or perf script" };

    private static Option<string[]> GuestOption() => new("--guest")
    {
        Description = "Guest PMU keys as in a scenario's vm line: version=, gp=, fixed=, gp-width=, fixed-width=, perf-caps=, pdcm=, tsx=, perfctr-core=, lbr-depth=, pv-lbr=, profile=",
        AllowMultipleArgumentsPerToken = true,
        DefaultValueFactory = _ => [],
    };

    private static Command CreateDecode(TextWriter output, TextWriter errors)
    {
        var file = FileArgument();
        var cpu = new Option<string>("--cpu") { Description = "CPU preset of the host; with --guest it decides the vCPU's counters and reserved bits", DefaultValueFactory = _ => PmuPresets.Default };
        var guest = GuestOption();
        var summaryOnly = new Option<bool>("--summary") { Description = "Print only the summary, not one line per access" };
        var command = new Command("decode", "One line per PMU access (time, CPU, access, register and kernel name, fields, event), what the vCPU would #GP on, and a summary.")
        {
            file, cpu, guest, summaryOnly,
        };
        command.SetAction(result => Decode(
            result.GetValue(file) ?? "", result.GetValue(cpu) ?? PmuPresets.Default, result.GetValue(guest) ?? [], result.GetValue(summaryOnly), output, errors));
        return command;
    }

    internal static int Decode(string path, string preset, string[] guestKeys, bool summaryOnly, TextWriter output, TextWriter errors)
    {
        var guest = TraceGuest.Create(preset, guestKeys, out string? error);
        if (guest is null)
        {
            errors.WriteLine($"msrgen: {error}");
            return Program.BadInput;
        }

        using var reader = OpenTrace(path, errors);
        if (reader is null)
        {
            return Program.BadInput;
        }

        using var progress = ProgressBar.For(errors, reader.Length);

        // The console writer flushes every write: one line per access needs a buffer in front of it.
        using var buffered = ReferenceEquals(output, Console.Out) ? new StreamWriter(Console.OpenStandardOutput(), bufferSize: 1 << 16) : null;
        return TraceDecodeRun.Run(reader, new TraceDecoder(guest), buffered ?? output, errors, progress is null ? null : progress.Report, lines: !summaryOnly);
    }

    internal static TraceReader? OpenTrace(string path, TextWriter errors)
    {
        if (!File.Exists(path))
        {
            errors.WriteLine($"msrgen: no such trace file '{path}'");
            return null;
        }

        return TraceReader.Open(path);
    }

    /// <summary>
    /// A progress bar on stderr for inputs of 8 MB and more, only when stderr is a terminal (never when
    /// it is redirected to a file or a pipe, never in tests, which pass their own writers).
    /// </summary>
    internal sealed class ProgressBar : IDisposable
    {
        private const long Threshold = 8L << 20;
        private readonly TextWriter _writer;
        private int _lastPercent = -1;

        private ProgressBar(TextWriter writer) => _writer = writer;

        public static ProgressBar? For(TextWriter errors, long? length) =>
            ReferenceEquals(errors, Console.Error) && !Console.IsErrorRedirected && length >= Threshold ? new ProgressBar(errors) : null;

        public void Report(long position, long length)
        {
            // Characters read against bytes on disk: close enough for ASCII trace text.
            int percent = length <= 0 ? 0 : (int)Math.Min(100, position * 100 / length);
            if (percent == _lastPercent)
            {
                return;
            }

            _lastPercent = percent;
            int filled = percent * 30 / 100;
            _writer.Write($"\r[{new string('#', filled)}{new string('.', 30 - filled)}] {percent,3}% of {length >> 20} MB");
        }

        public void Dispose()
        {
            if (_lastPercent >= 0)
            {
                _writer.Write("\r" + new string(' ', 60) + "\r");
            }
        }
    }

    /// <summary><c>msrgen run --emit-trace FILE</c>: runs with a trace emitter writing to FILE (none without the option).</summary>
    internal static int RunEmitting(string? path, Func<IGuestAccessObserver?, int> run)
    {
        if (path is null)
        {
            return run(null);
        }

        using var writer = new StreamWriter(path);
        return run(new TraceEmitter(writer));
    }
}
