using System;
using System.CommandLine;
using System.IO;
using MsrGen.Cli.Commands;

namespace MsrGen.Cli;

/// <summary>
/// <c>msrgen</c>: with no arguments the built-in scenario report; <c>run</c>, <c>list</c> and
/// <c>decode</c> otherwise. Bad input is one line on stderr and exit code 2, never a stack trace.
/// </summary>
public static class Program
{
    public const int BadInput = 2;

    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(string[] args, TextWriter output, TextWriter errors)
    {
        var root = new RootCommand("MsrGen: typed x86 PMU registers and a model of KVM's vPMU designs. With no command, runs the built-in scenarios and prints a report.");
        root.Subcommands.Add(RunCommand.Create(output, errors));
        root.Subcommands.Add(ListCommand.Create(output));
        root.Subcommands.Add(DecodeCommand.Create(output, errors));
        root.Subcommands.Add(TraceCommand.Create(output, errors));
        var charts = new Option<string>("--charts")
        {
            Description = "Directory for the report's SVG charts",
            DefaultValueFactory = _ => DefaultReport.DefaultChartDirectory,
        };
        root.Options.Add(charts);
        root.SetAction(result => DefaultReport.Run(output, errors, result.GetValue(charts) ?? DefaultReport.DefaultChartDirectory));

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            errors.WriteLine($"msrgen: {parsed.Errors[0].Message}");
            return BadInput;
        }

        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = errors, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or FormatException or InvalidOperationException)
        {
            errors.WriteLine($"msrgen: {e.Message}");
            return BadInput;
        }
    }
}
