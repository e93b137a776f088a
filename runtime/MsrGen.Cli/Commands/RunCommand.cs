using System.CommandLine;
using System.IO;
using MsrGen.Cli.Output;
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
        paths.Validators.Add(CommandLineRules.RejectOptionLikeTokens);
        var metrics = new Option<bool>("--metrics") { Description = "Print each VM's exits, MSR operations, #GP faults and modelled cost" };
        var options = new OutputOptions();
        var command = new Command("run", "Run scenario files and check their expectations.\n" + CommandLineRules.ExitCodes) { paths, metrics };
        options.AddTo(command);
        command.SetAction(result =>
        {
            var format = OutputOptions.Parse(result.GetValue(options.Format));
            bool showMetrics = result.GetValue(metrics), verbose = result.GetValue(options.Verbose);
            string? junit = result.GetValue(options.JUnit);
            return RunOutput.IsPlain(format, showMetrics, verbose, junit)
                ? ScenarioRunner.Run(result.GetValue(paths) ?? [], output, errors).ExitCode
                : RunOutput.Run(result.GetValue(paths) ?? [], format, showMetrics, verbose, junit, output, errors);
        });
        return command;
    }
}
