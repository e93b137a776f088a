using System.Collections.Generic;
using System.IO;
using MsrGen.Runtime.Runner;

namespace MsrGen.Runtime.Reporting;

/// <summary>
/// What a report section may read: the outcomes of the built-in scenarios, in order, and the
/// directory where it may write files that accompany the report (charts).
/// </summary>
public sealed record ReportContext(IReadOnlyList<ScenarioOutcome> Outcomes, string ChartDirectory);

/// <summary>
/// A section of the default <c>msrgen</c> report (a comparison of designs, a table). Sections are
/// found by reflection in the runtime assembly (see <see cref="Kvm.VpmuRegistry.Discover{T}"/>)
/// and printed after the scenarios in ascending <see cref="Order"/>, so a design adds its own
/// section from its own folder.
/// </summary>
public interface IReportSection
{
    /// <summary>Position among sections: built-in ones use 100 (designs table) and 200 (grouped events).</summary>
    int Order { get; }

    string Title { get; }

    void Write(ReportContext context, TextWriter writer);
}
