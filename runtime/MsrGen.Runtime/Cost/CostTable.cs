using System;
using System.Collections.Generic;
using System.Linq;

namespace MsrGen.Runtime.Cost;

/// <summary>
/// One modeled primitive: its default in host cycles and the public source of that default (a
/// short name from docs/sources.md, such as "Kang 2019").
/// </summary>
public sealed record CostEntry(string Name, ulong DefaultCycles, string Source, string Description);

/// <summary>
/// Host cycles per primitive (docs/cost-model.md): the one cost table of the runtime. The legacy
/// vPMU, the mediated vPMU, the placement comparison and the guest LBR comparison all price their
/// work here, so a physical WRMSR costs the same whichever code path did it. Defaults cite their
/// public source (docs/sources.md); a scenario's <c>cost NAME=N</c> overrides them. Designs may
/// register their own primitives.
/// </summary>
public sealed class CostTable
{
    public static readonly CostPrimitive VmExit = CostPrimitive.Of("vmexit");
    public static readonly CostPrimitive VmExitFastpath = CostPrimitive.Of("vmexit.fastpath");
    public static readonly CostPrimitive Wrmsr = CostPrimitive.Of("wrmsr");
    public static readonly CostPrimitive Rdmsr = CostPrimitive.Of("rdmsr");
    public static readonly CostPrimitive Rdpmc = CostPrimitive.Of("rdpmc");
    public static readonly CostPrimitive PerfCreate = CostPrimitive.Of("perf.create");
    public static readonly CostPrimitive PerfRelease = CostPrimitive.Of("perf.release");
    public static readonly CostPrimitive PerfPeriod = CostPrimitive.Of("perf.period");
    public static readonly CostPrimitive PerfPause = CostPrimitive.Of("perf.pause");
    public static readonly CostPrimitive PerfEnable = CostPrimitive.Of("perf.enable");
    public static readonly CostPrimitive PerfRead = CostPrimitive.Of("perf.read");
    public static readonly CostPrimitive PmuRequest = CostPrimitive.Of("kvm.pmu-request");
    public static readonly CostPrimitive PmiInjection = CostPrimitive.Of("pmi.inject");
    public static readonly CostPrimitive HostPmi = CostPrimitive.Of("pmi.host");
    public static readonly CostPrimitive EmulatedEvent = CostPrimitive.Of("kvm.emulated-event");
    public static readonly CostPrimitive VmcsGlobalCtrl = CostPrimitive.Of("vmcs.global-ctrl");

    private static readonly CostEntry[] Defaults =
    {
        new(VmExit, 1100, "Christopherson 2024", "VM-exit + VM-entry round trip through the full exit path (CPUID exit ~1018-1098 cycles)"),
        new(VmExitFastpath, 900, "Christopherson 2025b", "fastpath exit handled in the inner run loop (~0.9k after the XCR0/XSS/PKRU change)"),
        new(Wrmsr, 208, "Kang 2019", "one physical WRMSR, also an x2APIC LVTPC write (1668 cycles / 8 MSRs)"),
        new(Rdmsr, 42, "Kang 2019", "one physical RDMSR (334 cycles / 8 MSRs)"),
        new(Rdpmc, 25, "Mi 2024", "one physical RDPMC; only qualitative anchors (much cheaper than RDMSR)"),
        new(PerfCreate, 50_000, "Xu 2019a", "perf_event_create_kernel_counter: 25,000 ns (fixed) at 2 GHz; GP creations reach 30 ms under load"),
        new(PerfRelease, 20_000, "Xu 2019a", "perf_event_release_kernel; below pmc_stop_counter's 30,000 ns (gp) which includes reading"),
        new(PerfPeriod, 10_756, "Xu 2020a", "perf_event_period: 5,378 ns at 2 GHz"),
        new(PerfPause, 2_000, "Xu 2019a, Zhang 2024", "perf_event_pause of a running counter (stop + read); no direct figure: below the 21,000 ns disable maximum, calibrated so the published 33.62 % guest overhead comes out"),
        new(PerfEnable, 2_000, "Xu 2019a, Zhang 2024", "perf_event_enable of a paused event; no direct figure (only maxima are published), calibrated with the 33.62 % guest overhead"),
        new(PerfRead, 400, "Xu 2019a", "perf_event_read_value of a live guest counter's event (kvm_pmu_rdpmc around it: 200 ns)"),
        new(PmuRequest, 194, "Liang 2018", "one kvm_pmu_handle_event pass with nothing to reprogram (97 ns)"),
        new(PmiInjection, 500, "Wang 2018b", "injecting the LVTPC vector at VM-entry; the published ~9,000 ns is the whole guest PMI round trip, whose exits and reprograms are modeled separately"),
        new(HostPmi, 2_000, "Landau 2011", "host perf NMI handler around a guest-owned overflow"),
        new(EmulatedEvent, 120, "Khorenko 2023, Christopherson 2023b", "kvm_pmu_trigger_event walking its counters: per emulated instruction or branch that an enabled counter selects"),
        new(VmcsGlobalCtrl, 18, "Mi 2025", "reading the guest's GLOBAL_CTRL back from the VMCS after a mediated exit (~15-20 cycles per exit)"),
    };

    private readonly Dictionary<string, CostEntry> _entries = Defaults.ToDictionary(e => e.Name, StringComparer.Ordinal);
    private readonly Dictionary<string, ulong> _overrides = new(StringComparer.Ordinal);

    // The effective cycles (override, else default) by primitive id, and whether this table knows
    // the primitive: the hot path prices an exit or a physical access with one array read.
    private ulong[] _cycles = new ulong[CostPrimitive.Count];
    private bool[] _known = new bool[CostPrimitive.Count];

    public CostTable()
    {
        foreach (var entry in Defaults)
        {
            Set(CostPrimitive.Of(entry.Name), entry.DefaultCycles);
        }
    }

    public static IReadOnlyList<CostEntry> BuiltIn => Defaults;

    public IEnumerable<CostEntry> Entries => _entries.Values.OrderBy(e => e.Name, StringComparer.Ordinal);

    public bool Contains(string name) => _entries.ContainsKey(name.ToLowerInvariant());

    /// <summary>Adds a primitive of a design (no effect when it exists).</summary>
    public void Register(CostEntry entry)
    {
        if (_entries.TryAdd(entry.Name, entry))
        {
            Set(CostPrimitive.Of(entry.Name), entry.DefaultCycles);
        }
    }

    public ulong this[string name] =>
        _overrides.TryGetValue(name, out ulong value) ? value
        : _entries.TryGetValue(name, out var entry) ? entry.DefaultCycles
        : throw new ArgumentException($"unknown cost primitive '{name}'", nameof(name));

    /// <summary>The cycles of a primitive by its id (the same figure as the indexer by name).</summary>
    public ulong this[CostPrimitive primitive]
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        get => (uint)primitive.Id < (uint)_known.Length && _known[primitive.Id] ? _cycles[primitive.Id] : this[primitive.Name];
    }

    /// <summary>A scenario's override; false for a name the table does not know.</summary>
    public bool TryOverride(string name, ulong cycles)
    {
        string key = name.ToLowerInvariant();
        if (!_entries.ContainsKey(key))
        {
            return false;
        }

        _overrides[key] = cycles;
        Set(CostPrimitive.Of(key), cycles);
        return true;
    }

    private void Set(CostPrimitive primitive, ulong cycles)
    {
        if (primitive.Id >= _known.Length)
        {
            int size = Math.Max(CostPrimitive.Count, primitive.Id + 1);
            Array.Resize(ref _cycles, size);
            Array.Resize(ref _known, size);
        }

        _cycles[primitive.Id] = cycles;
        _known[primitive.Id] = true;
    }
}
