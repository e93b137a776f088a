using System;
using System.Collections.Generic;
using System.Linq;

namespace MsrGen.Runtime.Cost;

/// <summary>One modeled primitive: its default in host cycles and the cost-anchors.md row it comes from.</summary>
public sealed record CostEntry(string Name, ulong DefaultCycles, string Anchor, string Description);

/// <summary>
/// Host cycles per primitive (docs/cost-model.md). Defaults cite their row in cost-anchors.md;
/// a scenario's <c>cost NAME=N</c> overrides them. Designs may register their own primitives.
/// </summary>
public sealed class CostTable
{
    public const string VmExit = "vmexit";
    public const string VmExitFastpath = "vmexit.fastpath";
    public const string Wrmsr = "wrmsr";
    public const string Rdmsr = "rdmsr";
    public const string Rdpmc = "rdpmc";
    public const string PerfCreate = "perf.create";
    public const string PerfRelease = "perf.release";
    public const string PerfPeriod = "perf.period";
    public const string PerfPause = "perf.pause";
    public const string PerfEnable = "perf.enable";
    public const string PerfRead = "perf.read";
    public const string PmuRequest = "kvm.pmu-request";
    public const string PmiInjection = "pmi.inject";
    public const string HostPmi = "pmi.host";
    public const string EmulatedEvent = "kvm.emulated-event";

    private static readonly CostEntry[] Defaults =
    {
        new(VmExit, 1100, "C1, C2", "VM-exit + VM-entry round trip through the full exit path (CPUID exit ~1018-1098 cycles)"),
        new(VmExitFastpath, 900, "C3", "fastpath exit handled in the inner run loop (~0.9k after the XCR0/XSS/PKRU change)"),
        new(Wrmsr, 210, "C6", "one physical WRMSR (1668 cycles / 8 MSRs)"),
        new(Rdmsr, 42, "C6", "one physical RDMSR (334 cycles / 8 MSRs)"),
        new(Rdpmc, 25, "C7", "one physical RDPMC; only qualitative anchors (much cheaper than RDMSR)"),
        new(PerfCreate, 50_000, "A7", "perf_event_create_kernel_counter: 25,000 ns (fixed) at 2 GHz; GP creations reach 30 ms under load"),
        new(PerfRelease, 20_000, "A7", "perf_event_release_kernel; below pmc_stop_counter's 30,000 ns (gp) which includes reading"),
        new(PerfPeriod, 10_756, "A11", "perf_event_period: 5,378 ns at 2 GHz"),
        new(PerfPause, 2_000, "A8, A1", "perf_event_pause of a running counter (stop + read); no direct figure: below A8's 21,000 ns disable maximum, calibrated so A1 comes out"),
        new(PerfEnable, 2_000, "A8, A1", "perf_event_enable of a paused event; no direct figure (A8 gives maxima only), calibrated with A1"),
        new(PerfRead, 400, "A7", "perf_event_read_value from kvm_pmu_rdpmc (200 ns)"),
        new(PmuRequest, 194, "A4", "one kvm_pmu_handle_event pass with nothing to reprogram (97 ns)"),
        new(PmiInjection, 500, "A5", "injecting the LVTPC vector at VM-entry; A5's ~9,000 ns is the whole guest PMI round trip, whose exits and reprograms are modeled separately"),
        new(HostPmi, 2_000, "C13", "host perf NMI handler around a guest-owned overflow"),
        new(EmulatedEvent, 120, "A12, A13", "kvm_pmu_trigger_event per emulated instruction/branch when a vPMC counts it"),
    };

    private readonly Dictionary<string, CostEntry> _entries = Defaults.ToDictionary(e => e.Name, StringComparer.Ordinal);
    private readonly Dictionary<string, ulong> _overrides = new(StringComparer.Ordinal);

    public static IReadOnlyList<CostEntry> BuiltIn => Defaults;

    public IEnumerable<CostEntry> Entries => _entries.Values.OrderBy(e => e.Name, StringComparer.Ordinal);

    public bool Contains(string name) => _entries.ContainsKey(name.ToLowerInvariant());

    /// <summary>Adds a primitive of a design (no effect when it exists).</summary>
    public void Register(CostEntry entry) => _entries.TryAdd(entry.Name, entry);

    public ulong this[string name] =>
        _overrides.TryGetValue(name, out ulong value) ? value
        : _entries.TryGetValue(name, out var entry) ? entry.DefaultCycles
        : throw new ArgumentException($"unknown cost primitive '{name}'", nameof(name));

    /// <summary>A scenario's override; false for a name the table does not know.</summary>
    public bool TryOverride(string name, ulong cycles)
    {
        string key = name.ToLowerInvariant();
        if (!_entries.ContainsKey(key))
        {
            return false;
        }

        _overrides[key] = cycles;
        return true;
    }
}
