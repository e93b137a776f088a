namespace MsrGen.Runtime.Mediated;

/// <summary>
/// Modeled cycle costs for the mediated comparison, each derived from a published figure (cited per
/// entry; all listed in docs/sources.md). Overridable with <c>with</c>.
/// </summary>
public sealed record MediatedCostTable
{
    /// <summary>Christopherson 2024: CPUID VM-exit round trip ~1018-1027 cycles (kvm-unit-tests vmexit.flat, one pinned vCPU).</summary>
    public ulong SlowExit { get; init; } = 1020;

    /// <summary>Christopherson 2025b: an Intel fastpath exit ≈ 1.2k cycles before the XCR0/XSS/PKRU move, ≈ 0.9k after.</summary>
    public ulong FastpathExit { get; init; } = 900;

    /// <summary>
    /// Christopherson 2025a ("Elide WRMSRs when loading guest PMCs if values already match"): eliding 11 counter WRMSRs (8 GP + 3 fixed) saved ~1k cycles on EMR net of the added
    /// RDPMCs, i.e. WRMSR − RDPMC ≈ 91 cycles; with RDPMC at 25 that puts a WRMSR at ≈ 116.
    /// (Christopherson 2021's ~400 is Skylake with SGX MSRs; Kang 2019's ≈208 is an older PT-capable part.)
    /// </summary>
    public ulong Wrmsr { get; init; } = 116;

    /// <summary>Kang 2019: ≈ 42 cycles per RDMSR (8 PT MSRs in ~334 cycles).</summary>
    public ulong Rdmsr { get; init; } = 42;

    /// <summary>Mi 2024: RDPMC has lower latency than RDMSR (no published number); 25 cycles.</summary>
    public ulong Rdpmc { get; init; } = 25;

    /// <summary>An LVTPC write is an x2APIC WRMSR (same cost as <see cref="Wrmsr"/>).</summary>
    public ulong LvtpcWrite { get; init; } = 116;

    /// <summary>Mi 2025: reading GLOBAL_CTRL back from the VMCS costs ~15-20 cycles per exit.</summary>
    public ulong VmcsGlobalCtrl { get; init; } = 18;

    /// <summary>
    /// Injecting a PMI into the guest and the guest's interrupt entry, on top of the exit; Xu 2019a's
    /// optimised guest PMI handling (8.8 µs max at 2.2 GHz) bounds it from above; 2,000 cycles.
    /// </summary>
    public ulong PmiInjection { get; init; } = 2000;

    /// <summary>The model's nominal clock, for turning cycles into time (same as the runtime's SimClock).</summary>
    public ulong CyclesPerMicrosecond { get; init; } = 2000;

    public static MediatedCostTable Default { get; } = new();

    /// <summary>Cycles of a batch of physical PMU operations.</summary>
    public ulong Of(in PmuOpCounts ops) =>
        (ulong)ops.Rdmsr * Rdmsr + (ulong)ops.Wrmsr * Wrmsr + (ulong)ops.Rdpmc * Rdpmc + (ulong)ops.LvtpcWrites * LvtpcWrite + (ulong)ops.VmcsGlobalCtrl * VmcsGlobalCtrl;
}
