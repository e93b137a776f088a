using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using MsrGen.Runtime.Kvm;
using MsrGen.Runtime.Runner;

namespace MsrGen.Runtime.Reporting;

/// <summary>One section of the report with what it found.</summary>
public sealed record ReportSectionOutput(string Id, string Title, bool Essential, ReportSectionResult Result);

/// <summary>
/// Everything plain <c>msrgen</c> reports, as data, in reading order: the verdict, the modelled
/// host and kernel, the headline table, then the sections. The text, JSON and TAP outputs render it.
/// </summary>
public sealed record DefaultReportModel(
    RunSummary Summary,
    string Verdict,
    string Host,
    string Kernel,
    HeadlineTable Headline,
    ReportChart HeadlineChart,
    IReadOnlyList<ReportSectionOutput> Sections,
    IReadOnlyList<ScenarioOutcome> Outcomes)
{
    /// <summary>The kernel behaviour the runtime models.</summary>
    public const string ModelledKernel = "Linux 7.0 KVM x86 vPMU: the emulated (perf-event backed) vPMU and the mediated vPMU as merged";

    /// <summary>Builds the report of already-run scenario outcomes.</summary>
    public static DefaultReportModel Build(IReadOnlyList<ScenarioOutcome> outcomes, string chartDirectory)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        var summary = ScenarioRunner.Print(outcomes, TextWriter.Null, TextWriter.Null);
        var comparison = PlacementReportSection.Default;
        var context = new ReportContext(outcomes, chartDirectory);
        var sections = VpmuRegistry.Discover<IReportSection>()
            .OrderBy(s => s.Order).ThenBy(s => s.Id, StringComparer.Ordinal)
            .Select(s => new ReportSectionOutput(s.Id, s.Title, s.Essential, s.Build(context)))
            .ToList();
        var headline = PlacementReportSection.Headline(comparison);
        return new DefaultReportModel(summary, VerdictOf(summary, outcomes), PlacementReportSection.HostLine(comparison), ModelledKernel,
            headline, new ReportChart(TradeoffChart.FileName, TradeoffChart.Title, TradeoffChart.Svg(headline)), sections, outcomes);
    }

    /// <summary>One line: PASS, FAIL or ERROR and the counts behind it.</summary>
    public static string VerdictOf(RunSummary summary, IReadOnlyList<ScenarioOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(outcomes);
        int malformed = outcomes.Count(o => o.Malformed);
        int failingScenarios = outcomes.Count(o => !o.Malformed && o.Failed > 0);
        if (malformed > 0)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"ERROR: {malformed:N0} of {outcomes.Count:N0} scenarios could not run; {summary.Failed:N0} of {summary.Expectations:N0} expectations failed");
        }

        return summary.Failed > 0
            ? string.Create(CultureInfo.InvariantCulture, $"FAIL: {summary.Failed:N0} of {summary.Expectations:N0} expectations failed in {failingScenarios:N0} of {summary.Scenarios:N0} scenarios")
            : string.Create(CultureInfo.InvariantCulture, $"PASS: all {summary.Expectations:N0} expectations of {summary.Scenarios:N0} scenarios hold");
    }
}
