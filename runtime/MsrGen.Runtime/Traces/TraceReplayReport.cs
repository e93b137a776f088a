using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using MsrGen.Runtime.Reporting;

namespace MsrGen.Runtime.Traces;

/// <summary>
/// Renders a replay: the headline table (the columns of the default report's headline: modelled
/// guest overhead, VM-exits per second, physical MSR operations per exit, guest count accuracy,
/// host perf blind time, with their units), the totals behind it, and JSON.
/// </summary>
public static class TraceReplayReport
{
    /// <summary>The headline columns, in order, with units.</summary>
    public static IReadOnlyList<string> HeadlineColumns { get; } =
        ["design", "guest overhead (%)", "VM-exits (/s)", "MSR ops (/exit)", "guest count accuracy (%)", "host perf blind (%)"];

    public static IReadOnlyList<string> TotalsColumns { get; } =
        ["design", "VM-exits", "MSR ops", "host cycles", "guest cycles", "count drift (events)", "PMIs", "#GP"];

    public static string[] HeadlineCells(TraceReplayRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.Available
            ? [row.Design, F(row.OverheadPercent, "0.00"), F(row.ExitsPerSecond, "N0"), F(row.MsrOpsPerExit, "0.0"), Opt(row.GuestCountAccuracyPercent), Opt(row.HostBlindPercent)]
            : [row.Design, "n/a", "", "", "", ""];
    }

    public static void WriteText(TextWriter output, TraceReplayResult result)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(result);
        var caps = result.Guest.Caps;
        output.WriteLine(I($"Replay of {result.Source}: {result.PmuAccesses} PMU accesses on {result.Vcpus} vCPU(s), {result.GuestSeconds:0.######} s of guest execution (summed over vCPUs)"));
        output.WriteLine(I($"host {result.Guest.Host.Name}; guest PMU v{caps.Version}, {caps.GpCounters} GP, {caps.FixedCounters} fixed; {result.Reveals} counter read(s) revealed the guest's real instruction/cycle counts"));
        if (result.FoldedSources > 0)
        {
            output.WriteLine(I($"{result.FoldedSources} traced CPU(s) beyond 64 were folded onto existing vCPUs"));
        }

        output.WriteLine();
        TextTable.Write(output, HeadlineColumns.ToArray(), result.Rows.Select(HeadlineCells).ToList(), leftAligned: 1);
        output.WriteLine();
        TextTable.Write(output, TotalsColumns.ToArray(), result.Rows.Where(r => r.Available).Select(r => new[]
        {
            r.Design, N(r.Exits), N(r.MsrOps), N((long)Math.Min(r.HostCycles, long.MaxValue)), N((long)Math.Min(r.GuestCycles, long.MaxValue)), N(r.CountDrift), N(r.Pmis), N(r.GuestFaults),
        }).ToList(), leftAligned: 1);
        foreach (var row in result.Rows.Where(r => !r.Available))
        {
            output.WriteLine($"{row.Design}: not available on this host ({row.Unavailable})");
        }
    }

    public static void WriteJson(TextWriter output, TraceReplayResult result)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(result);
        var document = new
        {
            source = result.Source,
            host = result.Guest.Host.Name,
            vcpus = result.Vcpus,
            pmuAccesses = result.PmuAccesses,
            guestSeconds = result.GuestSeconds,
            counterReveals = result.Reveals,
            unreadableLines = result.Stats.Unparsable,
            rows = result.Rows.Select(r => new
            {
                design = r.Design,
                available = r.Available,
                unavailable = r.Unavailable,
                guestOverheadPercent = r.Available ? r.OverheadPercent : (double?)null,
                vmExitsPerSecond = r.Available ? r.ExitsPerSecond : (double?)null,
                msrOpsPerExit = r.Available ? r.MsrOpsPerExit : (double?)null,
                guestCountAccuracyPercent = r.GuestCountAccuracyPercent,
                hostPerfBlindPercent = r.HostBlindPercent,
                vmExits = r.Exits,
                msrOps = r.MsrOps,
                hostCycles = r.HostCycles,
                guestCycles = r.GuestCycles,
                countDrift = r.CountDrift,
                pmis = r.Pmis,
                guestFaults = r.GuestFaults,
            }),
        };
        output.WriteLine(JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }));
    }

    private static string Opt(double? value) => value is double v ? F(v, "0.00") : "-";

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string I(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
