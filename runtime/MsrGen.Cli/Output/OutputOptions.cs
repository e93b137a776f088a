using System;
using System.CommandLine;
using System.Reflection;

namespace MsrGen.Cli.Output;

/// <summary>How results are printed.</summary>
internal enum OutputFormat
{
    Text,
    Json,
    Tap,
}

/// <summary>The output options shared by plain <c>msrgen</c> and <c>msrgen run</c>.</summary>
internal sealed class OutputOptions
{
    public static readonly string[] FormatNames = { "text", "json", "tap" };

    public Option<string> Format { get; } = new("--format")
    {
        Description = "Output format: text (for people), json (schema in docs/output.md), tap (TAP version 13, as kselftest prints it)",
        DefaultValueFactory = _ => "text",
        HelpName = "text|json|tap",
    };

    public Option<string?> JUnit { get; } = new("--junit")
    {
        Description = "Also write a JUnit XML file of the scenarios' results to FILE",
        HelpName = "FILE",
    };

    public Option<bool> Verbose { get; } = new("--verbose", "-v")
    {
        Description = "Also print every expectation of every scenario (text format) and the stack trace of an internal error",
    };

    public OutputOptions()
    {
        Format.AcceptOnlyFromAmong(FormatNames);
    }

    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(Format);
        command.Options.Add(JUnit);
        command.Options.Add(Verbose);
    }

    public static OutputFormat Parse(string? name) => name switch
    {
        "json" => OutputFormat.Json,
        "tap" => OutputFormat.Tap,
        _ => OutputFormat.Text,
    };

    /// <summary>The tool's version (the assembly's informational version without build metadata).</summary>
    public static string ToolVersion
    {
        get
        {
            string version = typeof(OutputOptions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
            int plus = version.IndexOf('+', StringComparison.Ordinal);
            return plus < 0 ? version : version[..plus];
        }
    }
}
