using System;
using System.IO;
using System.Linq;
using MsrGen.Runtime.Reporting;
using MsrGen.Runtime.Runner;

namespace MsrGen.Cli.Output;

/// <summary>
/// Plain <c>msrgen</c> for people: the verdict, the modelled host and kernel, the headline table,
/// the LBR strategies with their findings; everything else (per-expectation lines, detail
/// sections) with <c>--verbose</c>.
/// </summary>
internal static class TextReport
{
    public static void Write(DefaultReportModel report, ChartFiles charts, bool verbose, TextWriter output)
    {
        output.WriteLine($"msrgen: {report.Verdict}");
        output.WriteLine($"modelled host:   {report.Host}");
        output.WriteLine($"modelled kernel: {report.Kernel}");
        WriteFailures(report, output);
        output.WriteLine();

        output.WriteLine($"== {report.Headline.Title}");
        report.Headline.Write(output);
        WriteChart(charts, report.HeadlineChart, output);
        output.WriteLine();

        foreach (var section in report.Sections.Where(s => s.Essential || verbose))
        {
            WriteSection(section, charts, output);
        }

        if (verbose)
        {
            output.WriteLine("== Every scenario and its expectations");
            foreach (var outcome in report.Outcomes)
            {
                WriteScenario(outcome, output);
            }
        }
        else
        {
            var more = report.Sections.Where(s => !s.Essential).Select(s => s.Id).ToList();
            output.WriteLine($"More: --verbose adds every scenario's expectations and the sections {string.Join(", ", more)}; --format json has everything as data.");
        }
    }

    public static void WriteSection(ReportSectionOutput section, ChartFiles charts, TextWriter output)
    {
        output.WriteLine($"== {section.Title}");
        foreach (var note in section.Result.Notes)
        {
            output.WriteLine(note);
        }

        foreach (var table in section.Result.Tables)
        {
            table.Write(output);
        }

        foreach (var finding in section.Result.Findings)
        {
            output.WriteLine($"- {finding}");
        }

        foreach (var chart in section.Result.Charts)
        {
            WriteChart(charts, chart, output);
        }

        output.WriteLine();
    }

    private static void WriteChart(ChartFiles charts, ReportChart chart, TextWriter output)
    {
        var written = charts.Write(chart);
        output.WriteLine(written.Path is { } path ? $"chart: {path}" : $"chart not written ({written.Problem})");
    }

    private static void WriteFailures(DefaultReportModel report, TextWriter output)
    {
        foreach (var outcome in report.Outcomes)
        {
            foreach (var error in outcome.Errors)
            {
                output.WriteLine($"  {error}");
            }

            foreach (var e in outcome.Expectations.Where(e => !e.Passed))
            {
                output.WriteLine($"  {outcome.Path}:{e.Line}: expected {e.Expected}, got {e.Actual}");
            }
        }
    }

    public static void WriteScenario(ScenarioOutcome outcome, TextWriter output)
    {
        output.WriteLine($"-- {outcome.Title ?? outcome.Path} ({outcome.Path})");
        foreach (var line in outcome.Descriptions)
        {
            output.WriteLine($"   {line}");
        }

        foreach (var e in outcome.Expectations)
        {
            output.WriteLine($"   {(e.Passed ? "ok  " : "FAIL")} line {e.Line}: expected {e.Expected}, got {e.Actual}");
        }

        foreach (var error in outcome.Errors)
        {
            output.WriteLine($"   {error}");
        }

        output.WriteLine();
    }
}
