using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using MsrGen.Runtime.Lbr;
using MsrGen.Runtime.Mediated;
using MsrGen.Runtime.Mediated.Integration;
using MsrGen.Runtime.Reporting;
using MsrGen.Runtime.Traces;

namespace MsrGen.Runtime.Reporting;

/// <summary>
/// The shipped example traces (<c>traces/</c>, embedded in this assembly) replayed through every
/// design, with the headline's columns, so real-workload rows stand next to the built-in ones.
/// </summary>
internal sealed class TraceReportSection : IReportSection
{
    private const string Prefix = "traces/";

    public int Order => 150;

    public string Id => "trace-replay";

    public string Title => "Example traces replayed through every design (msrgen trace replay)";

    public bool Essential => true;

    public ReportSectionResult Build(ReportContext context)
    {
        var guest = TraceGuest.Create(TraceExamples.DefaultPreset, [], out string? error)
            ?? throw new InvalidOperationException(error);
        var assembly = typeof(TraceReportSection).Assembly;
        var rows = new List<IReadOnlyList<ReportCell>>();
        var notes = new List<string>
        {
            $"host: {TraceExamples.DefaultPreset}; each traced CPU becomes one vCPU; gaps between accesses become guest execution (docs/traces.md)",
        };
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var result = TraceReplay.Run(name[Prefix.Length..], () => new TraceReader(new StreamReader(assembly.GetManifestResourceStream(name)!), ownsReader: true), guest);
            notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"{result.Source}: {result.PmuAccesses:N0} PMU accesses on {result.Vcpus:N0} vCPU(s), {result.GuestSeconds * 1000:0.0} ms of guest time"));
            foreach (var row in result.Rows.Where(r => r.Available))
            {
                rows.Add(new[]
                {
                    ReportCell.Of(result.Source), ReportCell.Of(DesignNames.Canonical(row.Design)), ReportCell.Of(row.OverheadPercent),
                    ReportCell.Of(row.ExitsPerSecond), ReportCell.Of(row.MsrOpsPerExit),
                    row.GuestCountAccuracyPercent is { } accuracy ? ReportCell.Of(accuracy) : ReportCell.Empty,
                    row.HostBlindPercent is { } blind ? ReportCell.Of(blind) : ReportCell.Empty,
                });
            }
        }

        var table = new ReportTable(Id, Title, HeadlineTable.Columns, rows);
        return new ReportSectionResult(notes, new[] { table }, Array.Empty<string>(), Array.Empty<ReportChart>());
    }
}
