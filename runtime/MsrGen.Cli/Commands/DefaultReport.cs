using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using MsrGen.Runtime.Kvm;
using MsrGen.Runtime.Reporting;
using MsrGen.Runtime.Runner;

namespace MsrGen.Cli.Commands;

/// <summary>
/// Plain <c>msrgen</c>: runs the scenarios embedded in the tool and prints what each one shows,
/// its expectations, then the report sections (the metrics per design and any a design adds).
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

    public static int Run(TextWriter output, TextWriter errors, string chartDirectory = DefaultChartDirectory)
    {
        var outcomes = BuiltInScenarios().Select(s => ScenarioRunner.RunText(s.Name, s.Text)).ToList();
        output.WriteLine("MsrGen: KVM vPMU designs on the built-in scenarios");
        output.WriteLine();
        foreach (var outcome in outcomes)
        {
            WriteScenario(outcome, output);
        }

        foreach (var section in VpmuRegistry.Discover<IReportSection>().OrderBy(s => s.Order).ThenBy(s => s.Title, StringComparer.Ordinal))
        {
            output.WriteLine($"== {section.Title}");
            section.Write(new ReportContext(outcomes, Path.GetFullPath(chartDirectory)), output);
            output.WriteLine();
        }

        return ScenarioRunner.Print(outcomes, output, errors).ExitCode;
    }

    private static void WriteScenario(ScenarioOutcome outcome, TextWriter output)
    {
        output.WriteLine($"== {outcome.Title ?? outcome.Path} ({outcome.Path})");
        foreach (var line in outcome.Descriptions)
        {
            output.WriteLine($"   {line}");
        }

        // Set-up steps that merely succeeded are counted, not listed, so the checks that matter stand out.
        int quiet = 0;
        foreach (var e in outcome.Expectations)
        {
            if (e.Passed && e.Expected == "ok")
            {
                quiet++;
                continue;
            }

            string mark = e.Passed ? "ok  " : "FAIL";
            output.WriteLine($"   {mark} line {e.Line}: expected {e.Expected}, got {e.Actual}");
        }

        if (quiet > 0)
        {
            output.WriteLine($"   ({quiet} set-up step(s) succeeded as expected)");
        }

        foreach (var error in outcome.Errors)
        {
            output.WriteLine($"   {error}");
        }

        output.WriteLine();
    }
}
