using System.Collections.Generic;
using MsrGen.Runtime.Runner;

namespace MsrGen.Runtime.Reporting;

/// <summary>
/// What a report section may read: the outcomes of the built-in scenarios, in order, and the
/// directory where the report's charts go.
/// </summary>
public sealed record ReportContext(IReadOnlyList<ScenarioOutcome> Outcomes, string ChartDirectory);

/// <summary>A chart a section draws: the file it is written to and its title.</summary>
public sealed record ReportChart(string FileName, string Title, string Svg);

/// <summary>
/// What a section found, as data: lines of context (host, settings), its tables, its findings
/// (one sentence each) and its charts. The text, JSON and chart outputs all render this.
/// </summary>
public sealed record ReportSectionResult(
    IReadOnlyList<string> Notes,
    IReadOnlyList<ReportTable> Tables,
    IReadOnlyList<string> Findings,
    IReadOnlyList<ReportChart> Charts);

/// <summary>
/// A section of the default <c>msrgen</c> report (a comparison of designs, a table). Sections are
/// found by reflection in the runtime assembly (see <see cref="Kvm.VpmuRegistry.Discover{T}"/>)
/// and printed after the headline in ascending <see cref="Order"/>, so a design adds its own
/// section from its own folder.
/// </summary>
public interface IReportSection
{
    /// <summary>Position among sections: LBR strategies 200, placement details 300, grouped events 350, scenario coverage 500.</summary>
    int Order { get; }

    /// <summary>A stable identifier (lower case, dashes) for the machine-readable output.</summary>
    string Id { get; }

    string Title { get; }

    /// <summary>True for sections plain <c>msrgen</c> prints; the others appear with <c>--verbose</c> and in JSON.</summary>
    bool Essential { get; }

    ReportSectionResult Build(ReportContext context);
}
