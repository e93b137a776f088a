using System;
using MsrGen.Registers;

namespace MsrGen.Runtime.Mediated;

/// <summary>Why <c>enable_mediated_pmu</c> ended up on or off at module init.</summary>
public enum MediatedEnablement
{
    Enabled,
    ParameterOff,
    PmuDisabled,
    PerfLacksMediatedCapability,
    IntelNeedsVersion4,
    IntelNeedsFullWidthWrites,
    IntelNeedsVmEntryLoadGlobalCtrl,
    AmdNeedsPerfMonV2,
}

/// <summary>
/// The enablement rules and the guest PMU model KVM derives (arch/x86/kvm/pmu.c kvm_init_pmu_capability(), intel_pmu_refresh(), and the enable_mediated_pmu checks of the mediated vPMU series v6).
/// </summary>
public static class MediatedPmuSupport
{
    public const int KvmMaxIntelGpCounters = 8;
    public const int KvmMaxFixedCounters = 3;
    public const int KvmMaxAmdGpCounters = 6;
    public const int AmdCounterWidth = 48;
    /// <summary>PERF_CAPABILITIES bits that describe PEBS and LBR, withheld from guests when mediated is on.</summary>
    public static readonly ulong PebsAndLbrCapabilities = Ia32PerfCapabilities.Zero
        .WithLbrFmt((Ia32PerfCapabilities.LbrFmtValue)0x3F).WithPebsTrap(true).WithPebsArchReg(true).WithPebsFormat(0xF)
        .WithPebsBaseline(true).WithPebsOutputPtAvail(true).WithPebsTimingInfo(true).Value;

    /// <summary>The module-init decision for <c>enable_mediated_pmu</c>.</summary>
    public static MediatedEnablement Evaluate(in PmuCaps host, Kvm.KvmModuleParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!parameters.EnableMediatedPmu)
        {
            return MediatedEnablement.ParameterOff;
        }

        if (!parameters.EnablePmu)
        {
            return MediatedEnablement.PmuDisabled;
        }

        if (!parameters.PerfSupportsMediated)
        {
            return MediatedEnablement.PerfLacksMediatedCapability;
        }

        if (host.IsIntel)
        {
            if (host.Version < 4)
            {
                return MediatedEnablement.IntelNeedsVersion4;
            }

            if (!host.FullWidthWrites)
            {
                return MediatedEnablement.IntelNeedsFullWidthWrites;
            }

            return parameters.VmEntryLoadsGlobalCtrl ? MediatedEnablement.Enabled : MediatedEnablement.IntelNeedsVmEntryLoadGlobalCtrl;
        }

        return host.Version >= 2 ? MediatedEnablement.Enabled : MediatedEnablement.AmdNeedsPerfMonV2;
    }

    /// <summary>A vCPU has a mediated PMU iff the module enabled it and the guest's PMU version is non-zero.</summary>
    public static bool VcpuHasMediatedPmu(bool mediatedEnabled, in PmuCaps guest) => mediatedEnabled && guest.Version != 0;

    /// <summary>
    /// The guest PMU KVM builds from what userspace asked for (the guest CPUID) and the host:
    /// counts and widths clamped to the host and KVM's limits, no fixed counters for an Intel v1
    /// guest, AMD widths fixed at 48 bits, and with the mediated PMU no PEBS and no LBR.
    /// </summary>
    public static PmuCaps DeriveGuest(in PmuCaps requested, in PmuCaps host, bool mediated)
    {
        if (requested.Vendor != host.Vendor)
        {
            throw new ArgumentException("guest and host PMU vendors differ", nameof(requested));
        }

        PmuCaps guest;
        if (host.IsIntel)
        {
            int version = requested.Version;
            int gp = Math.Min(requested.GpCounters, Math.Min(host.GpCounters, KvmMaxIntelGpCounters));
            int fixedCount = version <= 1 ? 0 : Math.Min(requested.FixedCounters, Math.Min(host.FixedCounters, KvmMaxFixedCounters));
            guest = requested with
            {
                GpCounters = version == 0 ? 0 : gp,
                FixedCounters = version == 0 ? 0 : fixedCount,
                GpWidth = Math.Min(requested.GpWidth, host.GpWidth),
                FixedWidth = version <= 1 ? 0 : Math.Min(requested.FixedWidth, host.FixedWidth),
            };
        }
        else
        {
            int version = requested.Version == 0 ? 0 : requested.Has(PmuFeatures.PerfmonV2) ? 2 : 1;
            int gp = version >= 2 ? requested.GpCounters : requested.Has(PmuFeatures.PerfctrCore) ? 6 : 4;
            guest = requested with
            {
                Version = version,
                GpCounters = version == 0 ? 0 : Math.Min(gp, Math.Min(host.GpCounters, KvmMaxAmdGpCounters)),
                FixedCounters = 0,
                GpWidth = AmdCounterWidth,
                FixedWidth = 0,
            };
        }

        if (mediated)
        {
            guest = guest with { PerfCapabilities = guest.PerfCapabilities & ~PebsAndLbrCapabilities, LbrDepth = 0 };
        }

        return guest;
    }

    /// <summary>
    /// The guest's GLOBAL_CTRL after reset: every GP counter enabled when the guest has global
    /// control or the PMU is mediated (a v1 guest's internal enables, loaded into hardware); else 0.
    /// </summary>
    public static ulong ResetGlobalCtrl(in PmuCaps guest, bool mediated) =>
        guest.GpCounters > 0 && (guest.Version > 1 || mediated) ? Bits.LowOnes(guest.GpCounters) : 0;
}

/// <summary>What happened when a VM asked for its first vCPU.</summary>
public enum VcpuCreateResult
{
    /// <summary>The vCPU exists; the VM's PMU is mediated.</summary>
    MediatedPmu,
    /// <summary>The vCPU exists without a PMU (PMU off, no in-kernel LAPIC, or guest PMU version 0).</summary>
    NoPmu,
    /// <summary>The vCPU was refused with -EBUSY: host perf has !exclude_guest events.</summary>
    Busy,
}

/// <summary>
/// KVM's side of the accounting for one VM: <c>perf_create_mediated_pmu()</c> at the first
/// KVM_CREATE_VCPU when the VM's PMU is enabled and an in-kernel irqchip exists (otherwise the VM
/// silently gets no PMU), remembered in a sticky flag, released once at VM destruction.
/// </summary>
public sealed class KvmMediatedVm
{
    private readonly MediatedPmuAccounting _perf;
    private readonly bool _mediatedEnabled;
    private readonly bool _inKernelIrqchip;
    private bool _destroyed;

    public KvmMediatedVm(MediatedPmuAccounting perf, bool mediatedEnabled, bool inKernelIrqchip, PmuCaps guest)
    {
        _perf = perf;
        _mediatedEnabled = mediatedEnabled;
        _inKernelIrqchip = inKernelIrqchip;
        Guest = guest;
        PmuEnabled = MediatedPmuSupport.VcpuHasMediatedPmu(mediatedEnabled, guest);
    }

    public PmuCaps Guest { get; }

    /// <summary>The VM's <c>enable_pmu</c>; cleared when the irqchip is missing.</summary>
    public bool PmuEnabled { get; private set; }

    /// <summary>The sticky <c>created_mediated_pmu</c>.</summary>
    public bool CreatedMediatedPmu { get; private set; }

    public int Vcpus { get; private set; }

    /// <summary>KVM_CREATE_VCPU (<c>kvm_arch_vcpu_precreate</c> for the mediated part).</summary>
    public VcpuCreateResult CreateVcpu()
    {
        if (_destroyed)
        {
            throw new InvalidOperationException("the VM was destroyed");
        }

        if (_mediatedEnabled && PmuEnabled && !CreatedMediatedPmu)
        {
            if (!_inKernelIrqchip)
            {
                PmuEnabled = false;
            }
            else if (_perf.CreateMediatedPmu() != AccountingResult.Ok)
            {
                return VcpuCreateResult.Busy;
            }
            else
            {
                CreatedMediatedPmu = true;
            }
        }

        Vcpus++;
        return CreatedMediatedPmu ? VcpuCreateResult.MediatedPmu : VcpuCreateResult.NoPmu;
    }

    /// <summary><c>kvm_arch_destroy_vm</c>: releases the mediated PMU once if it was created.</summary>
    public void Destroy()
    {
        if (_destroyed)
        {
            return;
        }

        _destroyed = true;
        if (CreatedMediatedPmu)
        {
            _perf.ReleaseMediatedPmu();
        }
    }
}
