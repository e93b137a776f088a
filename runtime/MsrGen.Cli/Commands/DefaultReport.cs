using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MsrGen.Cli.Output;
using MsrGen.Runtime.Reporting;
using MsrGen.Runtime.Runner;

namespace MsrGen.Cli.Commands;

/// <summary>
/// Plain <c>msrgen</c>: runs the scenarios embedded in the tool and reports, results first: the
/// verdict, the modelled host and kernel, the headline table, the LBR strategies; the rest with
/// <c>--verbose</c> or as JSON / TAP.
/// </summary>
internal static class DefaultReport
{
    private const string Prefix = "scenarios/";

    public static IReadOnlyList<(string Name, string Text)> BuiltInScenarios()
    {
        var assembly = typeof(DefaultReport).Assembly;
        var result = new List<(string, string)>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            result.Add((name, reader.ReadToEnd()));
        }

        return result;
    }

    /// <summary>Where charts go unless --charts says otherwise: under artifacts/, which git ignores.</summary>
    public const string DefaultChartDirectory = "artifacts/report";

    public static int Run(TextWriter output, TextWriter errors, string chartDirectory = DefaultChartDirectory,
        OutputFormat format = OutputFormat.Text, bool verbose = false, string? junit = null)
    {
        var outcomes = BuiltInScenarios().Select(s => ScenarioRunner.RunText(s.Name, s.Text)).ToList();
        foreach (var warning in outcomes.SelectMany(o => o.Warnings))
        {
            errors.WriteLine(warning);
        }

        var charts = new ChartFiles(Path.GetFullPath(chartDirectory));
        var report = DefaultReportModel.Build(outcomes, Path.GetFullPath(chartDirectory));
        switch (format)
        {
            case OutputFormat.Json:
                JsonOutput.WriteReport(report, charts, output);
                break;
            case OutputFormat.Tap:
                TapOutput.Write(outcomes, new[] { "msrgen: " + report.Verdict, "modelled host: " + report.Host, "modelled kernel: " + report.Kernel }, output);
                break;
            default:
                TextReport.Write(report, charts, verbose, output);
                break;
        }

        if (junit is not null)
        {
            JUnitOutput.Write(outcomes, junit);
        }

        return report.Summary.ExitCode;
    }
}
