using MsrGen.Registers;

namespace MsrGen.Runtime.Kvm.Pmu;

/// <summary>
/// The common PMU layer (arch/x86/kvm/pmu.c, struct kvm_pmu): kvm_pmu_is_valid_msr(),
/// kvm_pmu_get_msr() / kvm_pmu_set_msr() for the global MSRs, pmc_read_counter() /
/// pmc_write_counter() widths, kvm_pmu_rdpmc() and the pmc_in_use bitmap; everything else goes
/// to the vendor ops (<see cref="IntelPmuOps"/>, <see cref="AmdPmuOps"/>), and the values to and
/// from the design (<see cref="IPmuDesign"/>). This file decides whether a guest write to
/// IA32_PERF_GLOBAL_CTRL (or PerfCntrGlobalCtl) #GPs, for both vendors and both designs.
/// </summary>
internal sealed class KvmPmu
{
    private static readonly IPmuVendorOps IntelOps = new IntelPmuOps();
    private static readonly IPmuVendorOps AmdOps = new AmdPmuOps();
    private readonly IPmuDesign _design;

    public KvmPmu(IPmuDesign design) => _design = design;

    public IPmuDesign Design => _design;

    public PmuCaps Caps => _design.Caps;

    /// <summary>The design's MSR_PERF_METRICS, when it offers one.</summary>
    public IPerfMetricsDesign? Metrics => _design as IPerfMetricsDesign is { PerfMetricsEnabled: true } metrics ? metrics : null;

    /// <summary>pmu->pebs_enable.</summary>
    public ulong PebsEnable { get; private set; }

    /// <summary>pmu->ds_area.</summary>
    public ulong DsArea { get; private set; }

    /// <summary>pmu->pebs_data_cfg.</summary>
    public ulong PebsDataCfg { get; private set; }

    /// <summary>pmu->pmc_in_use: PMCs whose MSRs the guest wrote since the last kvm_pmu_cleanup().</summary>
    public ulong PmcInUse { get; private set; }

    private IPmuVendorOps Ops => Caps.IsIntel ? IntelOps : AmdOps;

    public PmuMsr Map(MsrRef register) => PmuRegisterMap.Of(register, Caps.Vendor);

    /// <summary>kvm_pmu_is_valid_msr(): Intel's global MSRs need PMU v2 (kvm_pmu_has_perf_global_ctrl()); the rest is the vendor's.</summary>
    public bool IsValidMsr(MsrRef register, bool hostInitiated)
    {
        var msr = Map(register);
        if (msr.Kind == PmuMsrKind.None)
        {
            return false;
        }

        if (Caps.IsIntel && msr.Kind is PmuMsrKind.GlobalCtrl or PmuMsrKind.GlobalStatus or PmuMsrKind.GlobalStatusReset)
        {
            return HasGlobalCtrl;
        }

        return Ops.IsValidMsr(this, register, msr, hostInitiated);
    }

    /// <summary>kvm_pmu_get_msr() for a valid MSR: the global ones here, the rest from the vendor.</summary>
    public MsrAccessResult GetMsr(MsrRef register, out ulong value)
    {
        var msr = Map(register);
        value = 0;
        switch (msr.Kind)
        {
            case PmuMsrKind.GlobalStatus:
                value = _design.GlobalStatus;
                return MsrAccessResult.Ok;
            case PmuMsrKind.GlobalCtrl:
                value = _design.GlobalCtrl;
                return MsrAccessResult.Ok;
            case PmuMsrKind.GlobalStatusReset or PmuMsrKind.GlobalStatusSet:
                // Write-only in effect: reads return 0.
                return MsrAccessResult.Ok;
            default:
                return Ops.GetMsr(this, msr, out value);
        }
    }

    /// <summary>
    /// kvm_pmu_set_msr() for a valid MSR. Intel #GPs on reserved bits and on a guest write of the
    /// read-only GLOBAL_STATUS; AMD drops reserved GLOBAL_CTL bits and ignores GLOBAL_STATUS
    /// writes. A host write to a status-reset MSR has no effect. Per-PMC MSRs mark the PMC in use
    /// (kvm_pmu_mark_pmc_in_use()) and go to the vendor.
    /// </summary>
    public MsrAccessResult SetMsr(MsrRef register, ulong data, bool hostInitiated)
    {
        var msr = Map(register);
        var caps = Caps;
        switch (msr.Kind)
        {
            case PmuMsrKind.GlobalStatus:
                if (!hostInitiated)
                {
                    return caps.IsIntel ? MsrAccessResult.GeneralProtection : MsrAccessResult.Ok;
                }

                if ((data & GlobalStatusReserved) != 0)
                {
                    return MsrAccessResult.GeneralProtection;
                }

                _design.RestoreGlobalStatus(data);
                return MsrAccessResult.Ok;
            case PmuMsrKind.GlobalCtrl:
                ulong reserved = MsrCatalog.ReservedMask(register, caps);
                if (caps.IsAmd)
                {
                    data &= ~reserved;
                }
                else if ((data & reserved) != 0)
                {
                    // kvm_valid_perf_global_ctrl().
                    return MsrAccessResult.GeneralProtection;
                }

                _design.WriteGlobalCtrl(data);
                return MsrAccessResult.Ok;
            case PmuMsrKind.GlobalStatusReset:
                // GLOBAL_OVF_CTRL clears GLOBAL_STATUS bits, so its reserved bits are GLOBAL_STATUS's; STATUS_CLR has no check.
                if (caps.IsIntel && (data & MsrCatalog.ReservedMask(register, caps)) != 0)
                {
                    return MsrAccessResult.GeneralProtection;
                }

                if (!hostInitiated)
                {
                    _design.ClearGlobalStatus(data);
                }

                return MsrAccessResult.Ok;
            case PmuMsrKind.GlobalStatusSet:
                if (!hostInitiated)
                {
                    _design.SetGlobalStatus(data & ~GlobalStatusReserved);
                }

                return MsrAccessResult.Ok;
            default:
                if (msr.NamesPmc && PmcExists(msr))
                {
                    MarkInUse(msr.PmcIdx);
                }

                return Ops.SetMsr(this, register, msr, data, hostInitiated);
        }
    }

    /// <summary>kvm_pmu_rdpmc() after the generic checks: the vendor's rdpmc_ecx_to_pmc(), then the width-masked count.</summary>
    public MsrAccessResult Rdpmc(uint ecx, out ulong value) => Ops.Rdpmc(this, ecx, out value);

    // ---- what the vendor ops share ----------------------------------------------------------------

    /// <summary>kvm_pmu_has_perf_global_ctrl() (AMD: PerfMonV2).</summary>
    internal bool HasGlobalCtrl => Caps.Version > 1;

    /// <summary>The PMC behind a counter or event select exists (get_gp_pmc() / get_fixed_pmc() found it).</summary>
    internal bool PmcExists(PmuMsr pmc) => pmc.IsFixed ? pmc.Index < _design.FixedCounters : pmc.Index < _design.GpCounters;

    /// <summary>pmc_bitmask().</summary>
    internal ulong CounterMask(PmuMsr pmc) => pmc.IsFixed ? Caps.FixedCounterMask : Caps.GpCounterMask;

    /// <summary>pmc_read_counter(): the design's count cut to the counter width.</summary>
    internal ulong ReadCounter(PmuMsr pmc) => _design.ReadCounter(pmc) & CounterMask(pmc);

    /// <summary>pmc_write_counter(): the value cut to the counter width, stored where the design keeps it.</summary>
    internal void WriteCounter(PmuMsr pmc, ulong value) => _design.WriteCounter(pmc, value & CounterMask(pmc));

    internal void MarkInUse(int pmcIdx) => PmcInUse |= 1UL << pmcIdx;

    /// <summary>kvm_pmu_cleanup() is done with the bitmap.</summary>
    internal void ClearPmcInUse() => PmcInUse = 0;

    internal void SetPebsEnable(ulong value)
    {
        ulong diff = PebsEnable ^ value;
        PebsEnable = value;
        if (diff != 0)
        {
            _design.ReprogramCounters(diff);
        }
    }

    internal void SetDsArea(ulong value) => DsArea = value;

    internal void SetPebsDataCfg(ulong value) => PebsDataCfg = value;

    /// <summary>pmu->global_status_rsvd (GLOBAL_STATUS's reserved bits; PerfCntrGlobalStatusSet sets none of them).</summary>
    private ulong GlobalStatusReserved => MsrCatalog.ReservedMask(
        new MsrRef(Caps.IsIntel ? MsrId.Ia32PerfGlobalStatus : MsrId.MsrAmd64PerfCntrGlobalStatus, 0), Caps);
}

/// <summary>struct kvm_pmu_ops: the vendor half of the PMU MSR and RDPMC handling.</summary>
internal interface IPmuVendorOps
{
    /// <summary>The vendor's is_valid_msr() and msr_idx_to_pmc().</summary>
    bool IsValidMsr(KvmPmu pmu, MsrRef register, PmuMsr msr, bool hostInitiated);

    MsrAccessResult GetMsr(KvmPmu pmu, PmuMsr msr, out ulong value);

    MsrAccessResult SetMsr(KvmPmu pmu, MsrRef register, PmuMsr msr, ulong data, bool hostInitiated);

    /// <summary>rdpmc_ecx_to_pmc() and the read.</summary>
    MsrAccessResult Rdpmc(KvmPmu pmu, uint ecx, out ulong value);
}
