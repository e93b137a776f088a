using System.CommandLine;
using System.IO;
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
        var verbose = new Option<bool>("--verbose") { Description = "Print the stack trace of an internal error" };
        var workLimit = new Option<ulong>("--work-limit")
        {
            Description = "Per-event work one file may do (PMIs, emulated instructions, VM-exits, LBR records)",
            DefaultValueFactory = _ => WorkMeter.DefaultLimit,
        };
        var command = new Command("run", "Run scenario files and check their expectations.") { paths, verbose, workLimit };
        command.SetAction(result =>
        {
            var options = new ScenarioRunOptions { Verbose = result.GetValue(verbose), WorkLimit = result.GetValue(workLimit) };
            return ScenarioRunner.Run(result.GetValue(paths) ?? [], output, errors, options).ExitCode;
        });
        return command;
    }
}
