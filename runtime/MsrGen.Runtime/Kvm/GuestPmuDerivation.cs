using System;
using MsrGen.Registers;

namespace MsrGen.Runtime.Kvm;

/// <summary>
/// How KVM turns a host and a guest CPUID into the guest PMU (arch/x86/kvm/vmx/pmu_intel.c intel_pmu_refresh,
/// amd_pmu_refresh, kvm_init_pmu_capability, vmx_get_perf_capabilities).
/// </summary>
public static class GuestPmuDerivation
{
    public const int MaxIntelGp = 8, MaxIntelFixed = 3, MaxAmdGp = 6;

    // PERF_CAPABILITIES groups (SDM Vol. 4; KVM PERF_CAP_PEBS_MASK).
    private const ulong LbrFormatMask = 0x3F, PebsFormatMask = 0xF00;
    private const ulong PebsMask = (1UL << 6) | (1UL << 7) | PebsFormatMask | PmuCaps.PerfCapPebsBaseline;

    /// <summary>kvm_pmu_cap and the supported PERF_CAPABILITIES of the legacy (perf-emulated) vPMU.</summary>
    public static KvmPmuCapabilities LegacySupported(HostMachine host, VmRequest request)
    {
        var caps = host.Caps;
        if (!host.EnablePmu)
        {
            return new KvmPmuCapabilities(0, 0, 0, 0, 0, 0);
        }

        if (caps.IsAmd)
        {
            return new KvmPmuCapabilities(Math.Min(caps.Version, 2), Math.Min(caps.GpCounters, MaxAmdGp), 0, caps.GpWidth, 0, 0);
        }

        ulong perfCaps = PmuCaps.PerfCapFullWidthWrites;
        if (HostLbrUsable(host))
        {
            perfCaps |= caps.PerfCapabilities & LbrFormatMask;
        }

        perfCaps |= caps.PerfCapabilities & PebsMask;
        if ((perfCaps & PebsFormatMask) >> 8 < 4)
        {
            perfCaps &= ~PmuCaps.PerfCapPebsBaseline;
        }

        if (request.GroupedMetrics && caps.PerfMetrics)
        {
            // The grouped-events option (Like Xu, "[PATCH RFC 7/8] KVM: x86/pmu: Use flex *event arrays to implement grouped events", LKML, 2022-12-12) is what offers PERF_METRICS to a legacy guest.
            perfCaps |= PmuCaps.PerfCapPerfMetrics;
        }

        int fixedCap = request.GroupedMetrics && caps.PerfMetrics ? Math.Min(caps.FixedCounters, 4) : Math.Min(caps.FixedCounters, MaxIntelFixed);
        return new KvmPmuCapabilities(Math.Min(caps.Version, 2), Math.Min(caps.GpCounters, MaxIntelGp), fixedCap, caps.GpWidth, caps.FixedWidth, perfCaps);
    }

    /// <summary>
    /// vmx_get_perf_capabilities: LBR_FMT is reported only when the host has model-specific LBRs
    /// (no architectural LBR, x86_perf_get_lbr finds entries) with call-stack support, which KVM
    /// requires; a format of 0x3F means "no LBR".
    /// </summary>
    public static bool HostLbrUsable(HostMachine host)
    {
        var caps = host.Caps;
        return caps.IsIntel && !caps.Has(PmuFeatures.ArchLbr) && caps.LbrDepth > 0 && caps.LbrFormat is not 0 and not 0x3F && host.Model.LbrCallStack;
    }

    /// <summary>Derives the guest PMU; an error message when KVM would refuse the settings.</summary>
    public static string? TryDerive(HostMachine host, VmRequest request, KvmPmuCapabilities supported, out VmConfig config)
    {
        var hostCaps = host.Caps;
        config = new VmConfig(request, new PmuCaps(hostCaps.Vendor, 0, 0, 0, 0, 0, 0, 0, PmuFeatures.None), supported);
        if (request.Mode == VpmuMode.Off || supported.Version == 0)
        {
            return null;
        }

        return hostCaps.IsAmd ? DeriveAmd(host, request, supported, ref config) : DeriveIntel(host, request, supported, ref config);
    }

    private static string? DeriveIntel(HostMachine host, VmRequest request, KvmPmuCapabilities supported, ref VmConfig config)
    {
        var hostCaps = host.Caps;
        int version = request.Version ?? supported.Version;
        bool pdcm = request.Pdcm ?? hostCaps.Has(PmuFeatures.Pdcm);
        ulong perfCaps = request.PerfCapabilities ?? (pdcm ? supported.SupportedPerfCapabilities : 0);
        if (request.PerfCapabilities is ulong asked)
        {
            if (!pdcm && asked != 0)
            {
                return "PERF_CAPABILITIES needs PDCM in the guest CPUID";
            }

            if ((asked & ~supported.SupportedPerfCapabilities) != 0)
            {
                return $"PERF_CAPABILITIES bits 0x{asked & ~supported.SupportedPerfCapabilities:x} are not supported by KVM";
            }

            if ((asked & LbrFormatMask) != 0 && (asked & LbrFormatMask) != (hostCaps.PerfCapabilities & LbrFormatMask))
            {
                return "LBR_FMT must be 0 or the host's";
            }

            if ((asked & PebsFormatMask) != 0 && (asked & PebsFormatMask) != (hostCaps.PerfCapabilities & PebsFormatMask))
            {
                return "PEBS_FORMAT must be 0 or the host's";
            }
        }

        if (version == 0)
        {
            config = config with { GuestCaps = new PmuCaps(CpuVendor.Intel, 0, 0, 0, 0, 0, 0, 0, Features(request, hostCaps, pdcm)) };
            return null;
        }

        int gp = Math.Min(request.GpCounters ?? supported.GpCounters, supported.GpCounters);
        int gpWidth = Math.Min(request.GpWidth ?? supported.GpWidth, hostCaps.GpWidth);
        int fixedCount = version == 1 ? 0 : Math.Min(request.FixedCounters ?? supported.FixedCounters, supported.FixedCounters);
        int fixedWidth = version == 1 ? 0 : Math.Min(request.FixedWidth ?? supported.FixedWidth, hostCaps.FixedWidth);
        int lbrDepth = (perfCaps & LbrFormatMask) != 0 ? request.LbrDepth ?? hostCaps.LbrDepth : 0;
        int maskLength = Math.Min(request.EventsMaskLength ?? 7, 7);
        ulong available = ~(request.EventsUnavailable ?? 0) & Bits.LowOnes(maskLength);
        var features = Features(request, hostCaps, pdcm);
        if (hostCaps.Has(PmuFeatures.Ds) && (supported.SupportedPerfCapabilities & PebsFormatMask) != 0)
        {
            // vmx_set_cpu_caps: DS (and DTES64) are offered when KVM supports PEBS for guests.
            features |= PmuFeatures.Ds;
        }

        if (host.Parameters.PtHostGuest)
        {
            // vmx_set_cpu_caps: Intel PT is offered in host-guest mode (pt_mode=1).
            features |= PmuFeatures.PtHostGuest;
        }

        var caps = new PmuCaps(CpuVendor.Intel, version, gp, fixedCount, gpWidth, fixedWidth, pdcm ? perfCaps : 0, lbrDepth, features);
        config = config with { GuestCaps = caps, EventsMaskLength = maskLength, AvailableEventTypes = available };
        return null;
    }

    private static string? DeriveAmd(HostMachine host, VmRequest request, KvmPmuCapabilities supported, ref VmConfig config)
    {
        var hostCaps = host.Caps;
        bool v2 = (request.Version ?? supported.Version) >= 2 && supported.Version >= 2;
        bool core = (request.PerfctrCore ?? hostCaps.Has(PmuFeatures.PerfctrCore)) && hostCaps.Has(PmuFeatures.PerfctrCore);
        int gp = v2 ? request.GpCounters ?? supported.GpCounters : core ? 6 : 4;
        gp = Math.Min(gp, supported.GpCounters);
        var features = (core ? PmuFeatures.PerfctrCore : 0) | (v2 ? PmuFeatures.PerfmonV2 : 0);
        var caps = new PmuCaps(CpuVendor.Amd, v2 ? 2 : 1, gp, 0, 48, 0, 0, 0, features | Features(request, hostCaps, pdcm: false));
        config = config with { GuestCaps = caps };
        return null;
    }

    private static PmuFeatures Features(VmRequest request, PmuCaps host, bool pdcm)
    {
        var features = PmuFeatures.None;
        if (pdcm && host.IsIntel)
        {
            features |= PmuFeatures.Pdcm;
        }

        bool tsx = (request.Tsx ?? host.Has(PmuFeatures.Tsx)) && host.Has(PmuFeatures.Tsx);
        if (tsx)
        {
            features |= PmuFeatures.Tsx | (host.Has(PmuFeatures.Rtm) ? PmuFeatures.Rtm : 0);
        }

        if (request.PvLbr)
        {
            features |= PmuFeatures.PvLbrCtrl;
        }

        return features;
    }
}
