using System.CommandLine;
using System.IO;
using MsrGen.Cli.Output;
using MsrGen.Runtime.Metrics;
using MsrGen.Runtime.Runner;

namespace MsrGen.Cli.Commands;

/// <summary>
/// <c>msrgen run PATH...</c>: runs each file, printing its report as soon as it has run (exit 0 all
/// held, 1 an expectation or a host-side action failed, 2 a file is malformed or over its work
/// limit, 3 MsrGen itself failed on a file).
/// </summary>
internal static class RunCommand
{
    public static Command Create(TextWriter output, TextWriter errors)
    {
        var paths = new Argument<string[]>("paths")
        {
            Description = "Scenario files (*.pmu) or directories (every *.pmu below, in ordinal path order)",
            Arity = ArgumentArity.OneOrMore,
        };
        paths.Validators.Add(CommandLineRules.RejectOptionLikeTokens);
        var metrics = new Option<bool>("--metrics") { Description = "Print each VM's exits, MSR operations, #GP faults and modelled cost" };
        var workLimit = new Option<ulong>("--work-limit")
        {
            Description = "Per-event work one file may do (PMIs, emulated instructions, VM-exits, LBR records)",
            DefaultValueFactory = _ => WorkMeter.DefaultLimit,
        };
        var emitTrace = new Option<string?>("--emit-trace") { Description = "Also write the guests' MSR accesses to this file as msr tracepoint text (perf script --ns layout; msrgen trace replay reads it)" };
        var options = new OutputOptions();
        var command = new Command("run", "Run scenario files and check their expectations.\n" + CommandLineRules.ExitCodes) { paths, metrics, workLimit, emitTrace };
        options.AddTo(command);
        command.SetAction(result =>
        {
            var format = OutputOptions.Parse(result.GetValue(options.Format));
            bool showMetrics = result.GetValue(metrics), verbose = result.GetValue(options.Verbose);
            string? junit = result.GetValue(options.JUnit);
            return TraceCommand.RunEmitting(result.GetValue(emitTrace), observer =>
            {
                var runOptions = new ScenarioRunOptions { Verbose = verbose, WorkLimit = result.GetValue(workLimit), Observer = observer };
                return RunOutput.IsPlain(format, showMetrics, verbose, junit)
                    ? ScenarioRunner.Run(result.GetValue(paths) ?? [], output, errors, runOptions).ExitCode
                    : RunOutput.Run(result.GetValue(paths) ?? [], runOptions, format, showMetrics, junit, output, errors);
            });
        });
        return command;
    }
}
