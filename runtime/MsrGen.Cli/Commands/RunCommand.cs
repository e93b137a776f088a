using System.CommandLine;
using System.IO;
using MsrGen.Runtime.Runner;

namespace MsrGen.Cli.Commands;

/// <summary><c>msrgen run PATH...</c>: the contract's runner (exit 0 / 1 / 2).</summary>
internal static class RunCommand
{
    public static Command Create(TextWriter output, TextWriter errors)
    {
        var paths = new Argument<string[]>("paths")
        {
            Description = "Scenario files (*.pmu) or directories (every *.pmu below, in ordinal path order)",
            Arity = ArgumentArity.OneOrMore,
        };
        var emitTrace = new Option<string?>("--emit-trace") { Description = "Also write the guests' MSR accesses to this file as msr tracepoint text (perf script --ns layout; msrgen trace replay reads it)" };
        var command = new Command("run", "Run scenario files and check their expectations.") { paths, emitTrace };
        command.SetAction(result => TraceCommand.RunEmitting(result.GetValue(emitTrace), observer => ScenarioRunner.Run(result.GetValue(paths) ?? [], output, errors, observer).ExitCode));
        return command;
    }
}
