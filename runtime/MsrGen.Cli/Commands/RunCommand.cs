using System.CommandLine;
using System.IO;
using MsrGen.Runtime.Runner;

namespace MsrGen.Cli.Commands;

/// <summary><c>msrgen run PATH...</c>: the scenario runner (exit 0 / 1 / 2).</summary>
internal static class RunCommand
{
    public static Command Create(TextWriter output, TextWriter errors)
    {
        var paths = new Argument<string[]>("paths")
        {
            Description = "Scenario files (*.pmu) or directories (every *.pmu below, in ordinal path order)",
            Arity = ArgumentArity.OneOrMore,
        };
        var command = new Command("run", "Run scenario files and check their expectations.") { paths };
        command.SetAction(result => ScenarioRunner.Run(result.GetValue(paths) ?? [], output, errors).ExitCode);
        return command;
    }
}
