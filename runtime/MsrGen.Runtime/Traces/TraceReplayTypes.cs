using System;
using System.Collections.Generic;
using System.Linq;
using MsrGen.Registers;
using MsrGen.Runtime.Cost;
using MsrGen.Runtime.HostPerf;
using MsrGen.Runtime.Kvm;
using MsrGen.Runtime.Mediated;
using MsrGen.Runtime.Comparisons;
using MsrGen.Scenarios;

namespace MsrGen.Runtime.Traces;

/// <summary>A vPMU design a trace is replayed through: the legacy vPMU, a mediated placement, or the legacy vPMU with an LBR strategy.</summary>
public sealed record TraceDesign(string Name, VpmuMode Mode, string? Placement, string? Lbr)
{
    public static IReadOnlyList<TraceDesign> All { get; } = Build();

    private static List<TraceDesign> Build()
    {
        var all = new List<TraceDesign> { new("emulated", VpmuMode.Emulated, null, null) };
        foreach (var placement in PlacementComparison.Placements)
        {
            string name = PlacementComparison.PlacementName(placement);
            all.Add(new("mediated " + name, VpmuMode.Mediated, name, null));
        }

        foreach (var lbr in new[] { "pv", "lazy", "timer", "kvm", "always" })
        {
            all.Add(new("emulated lbr=" + lbr, VpmuMode.Emulated, null, lbr));
        }

        return all;
    }

    /// <summary>
    /// Designs by name: <c>all</c>, <c>emulated</c> (or <c>legacy</c>), <c>mediated</c> (every placement),
    /// <c>mediated:PLACEMENT</c>, <c>lbr</c> (every strategy), <c>lbr:STRATEGY</c>; null and a message for an unknown name.
    /// </summary>
    public static IReadOnlyList<TraceDesign>? Select(IEnumerable<string> names, out string? error)
    {
        error = null;
        var chosen = new List<TraceDesign>();
        foreach (string raw in names)
        {
            string name = raw.Trim().ToLowerInvariant();
            var matches = name switch
            {
                "all" => All,
                "emulated" or "legacy" => All.Where(d => d.Mode == VpmuMode.Emulated && d.Lbr is null),
                "mediated" => All.Where(d => d.Mode == VpmuMode.Mediated),
                "lbr" => All.Where(d => d.Lbr is not null),
                _ when name.StartsWith("mediated:", StringComparison.Ordinal) => All.Where(d => d.Placement == name[9..]),
                _ when name.StartsWith("lbr:", StringComparison.Ordinal) => All.Where(d => d.Lbr == name[4..]),
                _ => Enumerable.Empty<TraceDesign>(),
            };
            var list = matches.ToList();
            if (list.Count == 0)
            {
                error = $"unknown design '{raw}'; expected all, emulated (or legacy), mediated, mediated:PLACEMENT (exit, run-loop, vcpu-load, owned, dirty-only), lbr or lbr:STRATEGY (pv, lazy, timer, kvm, always)";
                return null;
            }

            chosen.AddRange(list.Where(d => !chosen.Contains(d)));
        }

        return chosen.Count == 0 ? All : chosen;
    }
}

/// <summary>What the replay adds around the trace (documented defaults, all overridable).</summary>
public sealed record TraceReplayOptions
{
    public TraceRates Rates { get; init; } = new();

    /// <summary>Host perf events (pinned, exclude_guest, counting instructions) on every vCPU's CPU: a host that profiles itself.</summary>
    public int HostEvents { get; init; } = 1;

    /// <summary>
    /// A host interrupt (the scheduler tick) every this many nanoseconds of guest execution: an
    /// external-interrupt VM-exit followed by <see cref="HostWorkNanoseconds"/> of host work on that
    /// CPU, during which host perf either sees the PMU or is blind. 0 turns it off.
    /// </summary>
    public ulong TickNanoseconds { get; init; } = 1_000_000;

    public ulong HostWorkNanoseconds { get; init; } = 10_000;

    public IReadOnlyList<TraceDesign> Designs { get; init; } = TraceDesign.All;

    /// <summary>The one cost table every design is priced from.</summary>
    public CostTable Costs { get; init; } = new();

    /// <summary>The replay with nothing added: exactly the trace's accesses and execution (used for round trips).</summary>
    public static TraceReplayOptions Bare { get; } = new() { HostEvents = 0, TickNanoseconds = 0 };
}

/// <summary>
/// One design's replay. The first five measures are the columns of the default report's
/// headline table (modelled guest overhead, VM-exits per second, physical MSR operations per exit,
/// guest count accuracy, host perf blind time); the rest are the totals behind them.
/// </summary>
public sealed record TraceReplayRow(
    string Design,
    string? Unavailable,
    double OverheadPercent,
    double ExitsPerSecond,
    double MsrOpsPerExit,
    double? GuestCountAccuracyPercent,
    double? HostBlindPercent,
    long Exits,
    long MsrOps,
    ulong HostCycles,
    ulong GuestCycles,
    long CountDrift,
    long Pmis,
    long GuestFaults)
{
    public bool Available => Unavailable is null;
}

/// <summary>The replay of one trace: its vCPUs, its accesses and a row per design.</summary>
public sealed record TraceReplayResult(
    string Source,
    TraceGuest Guest,
    int Vcpus,
    long PmuAccesses,
    double GuestSeconds,
    long Reveals,
    int FoldedSources,
    TraceReadStats Stats,
    IReadOnlyList<TraceReplayRow> Rows)
{
    public bool Usable => PmuAccesses > 0;
}
