using System;
using System.CommandLine;
using System.IO;
using MsrGen.Runtime.Traces;

namespace MsrGen.Cli.Commands;

/// <summary><c>msrgen trace replay</c>: the trace's PMU traffic through every vPMU design.</summary>
internal static partial class TraceCommand
{
    private static Command CreateReplay(TextWriter output, TextWriter errors)
    {
        var file = FileArgument();
        var cpu = new Option<string>("--cpu") { Description = "CPU preset of the host the designs run on", Required = true };
        var guest = GuestOption();
        var design = new Option<string[]>("--design")
        {
            Description = "Designs: all (default), legacy, mediated, mediated:PLACEMENT, lbr, lbr:STRATEGY",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => ["all"],
        };
        var format = new Option<string>("--format") { Description = "text or json", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var defaults = new TraceReplayOptions();
        var ghz = new Option<double>("--ghz") { Description = "Guest cycles per nanosecond of trace time until a cycles counter says otherwise", DefaultValueFactory = _ => defaults.Rates.CyclesPerNanosecond };
        var ipc = new Option<double>("--ipc") { Description = "Instructions per cycle until an instructions counter says otherwise", DefaultValueFactory = _ => defaults.Rates.InstructionsPerCycle };
        var hostEvents = new Option<int>("--host-events") { Description = "Pinned exclude_guest host perf events per vCPU's CPU", DefaultValueFactory = _ => defaults.HostEvents };
        var tick = new Option<double>("--tick-us") { Description = "A host interrupt every this many microseconds of guest execution (0: none)", DefaultValueFactory = _ => defaults.TickNanoseconds / 1000.0 };
        var work = new Option<double>("--host-work-us") { Description = "Host work after each host interrupt, in microseconds", DefaultValueFactory = _ => defaults.HostWorkNanoseconds / 1000.0 };
        var command = new Command("replay", "Replay each traced CPU's PMU accesses as one vCPU through the legacy vPMU, every mediated placement and the LBR strategies; report cost and accuracy per design.")
        {
            file, cpu, guest, design, format, ghz, ipc, hostEvents, tick, work,
        };
        command.SetAction(result =>
        {
            double g = result.GetValue(ghz), i = result.GetValue(ipc), t = result.GetValue(tick), w = result.GetValue(work);
            int h = result.GetValue(hostEvents);
            if (!(g > 0 && g < 100) || !(i > 0 && i < 100) || !(t >= 0 && t < 1e9) || !(w >= 0 && w < 1e9) || h is < 0 or > 16)
            {
                errors.WriteLine("msrgen: --ghz and --ipc must be in (0, 100), --tick-us and --host-work-us at least 0, --host-events 0..16");
                return Program.BadInput;
            }

            var designs = TraceDesign.Select(result.GetValue(design) ?? ["all"], out string? error);
            if (designs is null)
            {
                errors.WriteLine($"msrgen: {error}");
                return Program.BadInput;
            }

            var options = new TraceReplayOptions
            {
                Rates = new TraceRates { CyclesPerNanosecond = g, InstructionsPerCycle = i },
                HostEvents = h,
                TickNanoseconds = (ulong)(t * 1000),
                HostWorkNanoseconds = (ulong)(w * 1000),
                Designs = designs,
            };
            return Replay(result.GetValue(file) ?? "", result.GetValue(cpu) ?? "", result.GetValue(guest) ?? [], options, result.GetValue(format) == "json", output, errors);
        });
        return command;
    }

    internal static int Replay(string path, string preset, string[] guestKeys, TraceReplayOptions options, bool json, TextWriter output, TextWriter errors)
    {
        var guest = TraceGuest.Create(preset, guestKeys, out string? error);
        if (guest is null)
        {
            errors.WriteLine($"msrgen: {error}");
            return Program.BadInput;
        }

        if (!File.Exists(path))
        {
            errors.WriteLine($"msrgen: no such trace file '{path}'");
            return Program.BadInput;
        }

        var progress = ProgressBar.For(errors, new FileInfo(path).Length);
        TraceReplayResult result;
        using (progress)
        {
            result = TraceReplay.Run(path, () => TraceReader.Open(path), guest, options, progress is null ? null : progress.Report);
        }

        TraceDecodeRun.WriteProblems(errors, result.Stats);
        if (!result.Usable)
        {
            errors.WriteLine(TraceDecodeRun.NothingUsable(result.Stats));
            return Program.BadInput;
        }

        if (json)
        {
            TraceReplayReport.WriteJson(output, result);
        }
        else
        {
            TraceReplayReport.WriteText(output, result);
        }

        return 0;
    }

    private static Command CreateToScenario(TextWriter output, TextWriter errors)
    {
        var file = FileArgument();
        var cpu = new Option<string>("--cpu") { Description = "CPU preset for the scenario's host line", Required = true };
        var guest = GuestOption();
        var design = new Option<string>("--design") { Description = "One design: emulated (default; legacy is the same), mediated:PLACEMENT or lbr:STRATEGY", DefaultValueFactory = _ => "emulated" };
        var to = new Option<string?>("--output", "-o") { Description = "Write the scenario to this file instead of standard output" };
        var command = new Command("to-scenario", "Write the trace as a scenario file (guest accesses and execution) for one design.") { file, cpu, guest, design, to };
        command.SetAction(result => ToScenario(
            result.GetValue(file) ?? "", result.GetValue(cpu) ?? "", result.GetValue(guest) ?? [], result.GetValue(design) ?? "emulated", result.GetValue(to), output, errors));
        return command;
    }

    internal static int ToScenario(string path, string preset, string[] guestKeys, string designName, string? outputPath, TextWriter output, TextWriter errors)
    {
        var guest = TraceGuest.Create(preset, guestKeys, out string? error);
        var designs = TraceDesign.Select([designName], out string? designError);
        if (guest is null || designs is null || designs.Count != 1)
        {
            errors.WriteLine($"msrgen: {error ?? designError ?? $"'{designName}' names {designs?.Count} designs; a scenario has one"}");
            return Program.BadInput;
        }

        if (!File.Exists(path))
        {
            errors.WriteLine($"msrgen: no such trace file '{path}'");
            return Program.BadInput;
        }

        var text = new StringWriter();
        bool usable;
        TraceReadStats stats;
        using (var target = outputPath is null ? null : new StreamWriter(outputPath))
        {
            usable = TraceToScenario.Write(path, () => TraceReader.Open(path), guest, designs[0], null, target ?? (TextWriter)text, out stats);
        }

        TraceDecodeRun.WriteProblems(errors, stats);
        if (!usable)
        {
            errors.WriteLine(TraceDecodeRun.NothingUsable(stats));
            return Program.BadInput;
        }

        output.Write(text.ToString());
        return 0;
    }
}
