using System;

namespace MsrGen.Registers;

/// <summary>The CPU vendor whose PMU architecture a vCPU (or physical CPU) follows.</summary>
public enum CpuVendor : byte
{
    Intel = 0,
    Amd = 1,
}

/// <summary>CPUID feature bits that decide whether PMU registers or register bits exist.</summary>
[Flags]
public enum PmuFeatures : uint
{
    None = 0,
    /// <summary>CPUID.1:ECX.PDCM: IA32_PERF_CAPABILITIES exists.</summary>
    Pdcm = 1u << 0,
    /// <summary>CPUID.7:EBX HLE or RTM: the IN_TX / IN_TXCP event-select bits exist.</summary>
    Tsx = 1u << 1,
    /// <summary>AMD CPUID 0x80000001:ECX.PERFCTR_CORE: six F15H counters at 0xC0010200.</summary>
    PerfctrCore = 1u << 2,
    /// <summary>AMD CPUID 0x80000022:EAX[0] PERFMON_V2: the global control and status MSRs.</summary>
    PerfmonV2 = 1u << 3,
    /// <summary>KVM CPUID 0x40000001:EAX bit 12 KVM_FEATURE_PV_LBR_CTRL (the 2018 proposal).</summary>
    PvLbrCtrl = 1u << 4,
    /// <summary>CPUID.7:EDX.ARCH_LBR: architectural LBR MSRs.</summary>
    ArchLbr = 1u << 5,
    /// <summary>CPUID.1:EDX.DS: the debug store area MSR.</summary>
    Ds = 1u << 6,
    /// <summary>CPUID.7:ECX.BUS_LOCK_DETECT.</summary>
    BusLockDetect = 1u << 7,
    /// <summary>CPUID.7:EBX.RTM (the RTM_DEBUG bit of DEBUGCTL).</summary>
    Rtm = 1u << 8,
    /// <summary>KVM CPUID 0x40000001:EAX bit 12 in upstream KVM: KVM_FEATURE_POLL_CONTROL.</summary>
    PollControl = 1u << 9,
    /// <summary>Intel PT in host-guest mode (kvm_intel pt_mode=1) with PT in the guest CPUID: GLOBAL_STATUS.TRACE_TOPA_PMI exists.</summary>
    PtHostGuest = 1u << 10,
}

/// <summary>
/// What a PMU offers: the vendor, the architectural PMU version, counter counts and widths,
/// IA32_PERF_CAPABILITIES and the CPUID feature bits that decide which registers and bits exist.
/// The same type describes a physical CPU and a vCPU (the values KVM derived for the guest).
/// </summary>
public readonly record struct PmuCaps(
    CpuVendor Vendor,
    int Version,
    int GpCounters,
    int FixedCounters,
    int GpWidth,
    int FixedWidth,
    ulong PerfCapabilities,
    int LbrDepth,
    PmuFeatures Features)
{
    /// <summary>IA32_PERF_CAPABILITIES.FW_WRITES (bit 13).</summary>
    public const ulong PerfCapFullWidthWrites = 1UL << 13;
    /// <summary>IA32_PERF_CAPABILITIES.PEBS_BASELINE (bit 14).</summary>
    public const ulong PerfCapPebsBaseline = 1UL << 14;
    /// <summary>IA32_PERF_CAPABILITIES.PERF_METRICS (bit 15).</summary>
    public const ulong PerfCapPerfMetrics = 1UL << 15;

    /// <summary>True when every feature in <paramref name="features"/> is present.</summary>
    public bool Has(PmuFeatures features) => (Features & features) == features;

    public bool IsIntel => Vendor == CpuVendor.Intel;
    public bool IsAmd => Vendor == CpuVendor.Amd;

    /// <summary>Full-width counter writes (IA32_A_PMCn) need both PDCM and PERF_CAPABILITIES.FW_WRITES.</summary>
    public bool FullWidthWrites
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        get => Has(PmuFeatures.Pdcm) && (PerfCapabilities & PerfCapFullWidthWrites) != 0;
    }
    public bool PebsBaseline => (PerfCapabilities & PerfCapPebsBaseline) != 0;
    public bool PerfMetrics => (PerfCapabilities & PerfCapPerfMetrics) != 0;
    /// <summary>PERF_CAPABILITIES[11:8].</summary>
    public int PebsFormat => (int)((PerfCapabilities >> 8) & 0xF);
    /// <summary>PERF_CAPABILITIES[5:0].</summary>
    public int LbrFormat => (int)(PerfCapabilities & 0x3F);
    /// <summary>Legacy (model-specific) LBRs are usable: a depth and a format are reported.</summary>
    public bool Lbr => LbrDepth > 0 && IsIntel;
    /// <summary>LBR_INFO MSRs exist for LBR formats that carry them (format 5 and later).</summary>
    public bool LbrInfo => Lbr && LbrFormat >= 5;

    public ulong GpCounterMask
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        get => GpWidth >= 64 ? ulong.MaxValue : (1UL << GpWidth) - 1;
    }

    public ulong FixedCounterMask
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        get => FixedWidth >= 64 ? ulong.MaxValue : (1UL << FixedWidth) - 1;
    }

    /// <summary>Looks up a capability by the name the definition language uses; null if unknown.</summary>
    public long? Lookup(string name) => CapabilityNames.Evaluate(this, name);
}
