using System.Collections.Generic;
using System.IO;
using System.Linq;
using MsrGen.Runtime.Reporting;
using MsrGen.Runtime.Runner;
using MsrGen.Scenarios;

namespace MsrGen.Cli.Output;

/// <summary>What <c>msrgen run</c> prints besides its plain text: metrics, JSON, TAP, JUnit.</summary>
internal static class RunOutput
{
    /// <summary>True when the plain runner output is all that was asked for.</summary>
    public static bool IsPlain(OutputFormat format, bool metrics, bool verbose, string? junit) =>
        format == OutputFormat.Text && !metrics && !verbose && junit is null;

    public static int Run(IEnumerable<string> paths, ScenarioRunOptions options, OutputFormat format, bool metrics, string? junit, TextWriter output, TextWriter errors)
    {
        bool verbose = options.Verbose;
        var discovery = ScenarioDiscovery.Find(paths);
        foreach (var problem in discovery.Problems)
        {
            errors.WriteLine(problem.ToString());
        }

        var outcomes = discovery.Files.Select(path => ScenarioRunner.RunFile(path, options)).ToList();
        RunSummary summary;
        switch (format)
        {
            case OutputFormat.Json:
                summary = ScenarioRunner.Print(outcomes, TextWriter.Null, errors);
                JsonOutput.WriteRun(summary, DefaultReportModel.VerdictOf(summary, outcomes), outcomes, RunMetrics.Table(outcomes), output);
                break;
            case OutputFormat.Tap:
                summary = ScenarioRunner.Print(outcomes, TextWriter.Null, errors);
                TapOutput.Write(outcomes, new[] { "msrgen run: " + DefaultReportModel.VerdictOf(summary, outcomes) }, output);
                break;
            default:
                if (verbose)
                {
                    foreach (var outcome in outcomes)
                    {
                        TextReport.WriteScenario(outcome, output);
                    }
                }

                if (metrics)
                {
                    RunMetrics.Table(outcomes).Write(output);
                    output.WriteLine();
                }

                summary = ScenarioRunner.Print(outcomes, output, errors);
                break;
        }

        if (junit is not null)
        {
            JUnitOutput.Write(outcomes, junit);
        }

        // A directory that could not be read is bad input even when every file found ran cleanly.
        return discovery.Problems.Count > 0 && summary.ExitCode < 2 ? 2 : summary.ExitCode;
    }
}
