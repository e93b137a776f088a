using System;
using System.CommandLine;
using System.IO;
using MsrGen.Cli.Commands;
using MsrGen.Cli.Output;

namespace MsrGen.Cli;

/// <summary>
/// <c>msrgen</c>: with no arguments the built-in scenario report; <c>run</c>, <c>list</c> and
/// <c>decode</c> otherwise. Bad input is one line on stderr and exit code 2, never a stack trace.
/// </summary>
public static class Program
{
    public const int BadInput = 2;

    /// <summary>MsrGen itself failed (a bug), as opposed to bad input.</summary>
    public const int InternalError = 3;

    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(string[] args, TextWriter output, TextWriter errors)
    {
        var parsed = CreateRoot(output, errors).Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // One line, whatever the parser's message looks like (value lists come one per line).
            string message = string.Join(" ", parsed.Errors[0].Message.Split(new[] { '\r', '\n' }, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            errors.WriteLine($"msrgen: {message}");
            return BadInput;
        }

        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = errors, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A path the user gave (a chart directory, an output file) that cannot be written.
            errors.WriteLine($"msrgen: {e.Message}");
            return BadInput;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Anything else is MsrGen's own failure, never reported as the user's bad input.
            errors.WriteLine($"msrgen: internal error: {e.GetType().Name}: {e.Message}");
            if (Array.IndexOf(args, "--verbose") >= 0)
            {
                errors.WriteLine(e.ToString());
            }

            return InternalError;
        }
    }

    /// <summary>The command tree (also what shell completion reads).</summary>
    internal static RootCommand CreateRoot(TextWriter output, TextWriter errors)
    {
        var root = new RootCommand(
            "MsrGen: typed x86 PMU registers and a model of KVM's vPMU designs. With no command, runs the built-in scenarios and "
            + "prints the report: the verdict, the modelled host and kernel, the headline table per workload and design, the LBR strategies.\n"
            + CommandLineRules.ExitCodes);
        root.Subcommands.Add(RunCommand.Create(output, errors));
        root.Subcommands.Add(ListCommand.Create(output));
        root.Subcommands.Add(DecodeCommand.Create(output, errors));
        root.Subcommands.Add(TraceCommand.Create(output, errors));
        var charts = new Option<string>("--charts")
        {
            Description = "Directory for the report's SVG charts",
            DefaultValueFactory = _ => DefaultReport.DefaultChartDirectory,
            HelpName = "DIR",
        };
        root.Options.Add(charts);
        var options = new OutputOptions();
        options.AddTo(root);
        root.SetAction(result => DefaultReport.Run(
            output, errors, result.GetValue(charts) ?? DefaultReport.DefaultChartDirectory,
            OutputOptions.Parse(result.GetValue(options.Format)), result.GetValue(options.Verbose), result.GetValue(options.JUnit)));
        return root;
    }
}
