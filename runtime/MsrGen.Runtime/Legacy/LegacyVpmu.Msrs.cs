using MsrGen.Registers;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.Kvm;

namespace MsrGen.Runtime.Legacy;

/// <summary>
/// The MSR and RDPMC semantics of the legacy vPMU (arch/x86/kvm/vmx/pmu_intel.c intel_pmu_get/set_msr,
/// amd_pmu_get/set_msr, kvm_pmu_get/set_msr). Existence and reserved bits come from the catalog.
/// </summary>
public sealed partial class LegacyVpmu
{
    private ulong _perfMetricsBase;

    /// <summary>MSR_IA32_DS_AREA as the guest wrote it (pmu->ds_area).</summary>
    public ulong DsArea { get; private set; }

    /// <summary>MSR_PEBS_DATA_CFG as the guest wrote it (pmu->pebs_data_cfg).</summary>
    public ulong PebsDataCfg { get; private set; }

    private static bool IsCanonical(ulong address) => (ulong)((long)(address << 16) >> 16) == address;

    public bool IsValidMsr(MsrRef register, bool hostInitiated)
    {
        var caps = Caps;
        if (caps.IsIntel)
        {
            return register.Id switch
            {
                MsrId.Ia32Pmc or MsrId.Ia32Perfevtsel => caps.Version > 0 && MsrCatalog.Exists(register, caps),
                MsrId.Ia32APmc => caps.Version > 0 && MsrCatalog.Exists(register, caps),
                MsrId.Ia32FixedCtr => caps.Version > 1 && MsrCatalog.Exists(register, caps),
                MsrId.Ia32FixedCtrCtrl or MsrId.Ia32PerfGlobalStatus or MsrId.Ia32PerfGlobalCtrl or MsrId.Ia32PerfGlobalOvfCtrl =>
                    caps.Version > 1,
                MsrId.Ia32PebsEnable => caps.PebsFormat != 0,
                // intel_pmu_is_valid_msr: DS_AREA with the guest's DS, PEBS_DATA_CFG with baseline PEBS format 4+.
                MsrId.MsrIa32DsArea or MsrId.MsrPebsDataCfg => MsrCatalog.Exists(register, caps),
                // kvm_get_msr_common: a guest without PDCM has no PERF_CAPABILITIES; the host always may.
                MsrId.Ia32PerfCapabilities => hostInitiated || caps.Has(PmuFeatures.Pdcm),
                MsrId.MsrPerfMetrics => GroupedMetrics && MsrCatalog.Exists(register, caps),
                _ => false,
            };
        }

        return register.Id switch
        {
            MsrId.MsrK7Evntsel or MsrId.MsrK7Perfctr => caps.Version > 0,
            MsrId.MsrF15hPerfCtl or MsrId.MsrF15hPerfCtr => caps.Has(PmuFeatures.PerfctrCore),
            MsrId.MsrAmd64PerfCntrGlobalStatus or MsrId.MsrAmd64PerfCntrGlobalCtl
                or MsrId.MsrAmd64PerfCntrGlobalStatusClr or MsrId.MsrAmd64PerfCntrGlobalStatusSet => caps.Version > 1,
            _ => false,
        };
    }

    public MsrAccessResult GetMsr(MsrRef register, bool hostInitiated, out ulong value)
    {
        value = 0;
        var pmc = PmcOf(register);
        switch (register.Id)
        {
            case MsrId.Ia32Pmc or MsrId.Ia32APmc or MsrId.Ia32FixedCtr or MsrId.MsrK7Perfctr or MsrId.MsrF15hPerfCtr:
                if (pmc is null)
                {
                    return MsrAccessResult.GeneralProtection;
                }

                value = ReadCounter(pmc);
                return MsrAccessResult.Ok;
            case MsrId.Ia32Perfevtsel or MsrId.MsrK7Evntsel or MsrId.MsrF15hPerfCtl:
                if (pmc is null)
                {
                    return MsrAccessResult.GeneralProtection;
                }

                value = pmc.Eventsel;
                return MsrAccessResult.Ok;
            case MsrId.Ia32FixedCtrCtrl:
                value = FixedCtrCtrl;
                return MsrAccessResult.Ok;
            case MsrId.Ia32PerfGlobalStatus or MsrId.MsrAmd64PerfCntrGlobalStatus:
                value = GlobalStatus;
                return MsrAccessResult.Ok;
            case MsrId.Ia32PerfGlobalCtrl or MsrId.MsrAmd64PerfCntrGlobalCtl:
                value = GlobalCtrl;
                return MsrAccessResult.Ok;
            case MsrId.Ia32PerfGlobalOvfCtrl or MsrId.MsrAmd64PerfCntrGlobalStatusClr or MsrId.MsrAmd64PerfCntrGlobalStatusSet:
                return MsrAccessResult.Ok;
            case MsrId.Ia32PebsEnable:
                value = PebsEnable;
                return MsrAccessResult.Ok;
            case MsrId.MsrIa32DsArea:
                value = DsArea;
                return MsrAccessResult.Ok;
            case MsrId.MsrPebsDataCfg:
                value = PebsDataCfg;
                return MsrAccessResult.Ok;
            case MsrId.Ia32PerfCapabilities:
                value = Caps.PerfCapabilities;
                return MsrAccessResult.Ok;
            case MsrId.MsrPerfMetrics:
                value = PerfMetricsValue();
                return MsrAccessResult.Ok;
            default:
                return MsrAccessResult.GeneralProtection;
        }
    }

    public MsrAccessResult SetMsr(MsrRef register, ulong value, bool hostInitiated)
    {
        var pmc = PmcOf(register);
        if (pmc is not null)
        {
            _pmcInUse |= 1UL << pmc.Idx;
        }

        return Caps.IsIntel ? SetIntel(register, pmc, value, hostInitiated) : SetAmd(register, pmc, value, hostInitiated);
    }

    private MsrAccessResult SetIntel(MsrRef register, LegacyPmc? pmc, ulong value, bool hostInitiated)
    {
        var caps = Caps;
        ulong reserved = MsrCatalog.ReservedMask(register, caps);
        switch (register.Id)
        {
            case MsrId.Ia32Pmc or MsrId.Ia32APmc:
                if (pmc is null)
                {
                    return MsrAccessResult.GeneralProtection;
                }

                bool fullWidth = register.Id == MsrId.Ia32APmc;
                if (fullWidth && (value & ~GpMask) != 0)
                {
                    return MsrAccessResult.GeneralProtection;
                }

                if (!hostInitiated && !fullWidth)
                {
                    value = (ulong)(long)(int)(uint)value;
                }

                WriteCounter(pmc, value);
                return MsrAccessResult.Ok;
            case MsrId.Ia32FixedCtr:
                if (pmc is null)
                {
                    return MsrAccessResult.GeneralProtection;
                }

                WriteCounter(pmc, value);
                if (pmc.Index == 3)
                {
                    _perfMetricsBase = 0;
                }

                return MsrAccessResult.Ok;
            case MsrId.Ia32Perfevtsel:
                if (pmc is null || (value & reserved) != 0)
                {
                    return MsrAccessResult.GeneralProtection;
                }

                if (value != pmc.Eventsel)
                {
                    pmc.Eventsel = value;
                    RequestReprogram(pmc);
                }

                return MsrAccessResult.Ok;
            case MsrId.Ia32FixedCtrCtrl:
                if ((value & reserved) != 0)
                {
                    return MsrAccessResult.GeneralProtection;
                }

                ulong changed = FixedCtrCtrl ^ value;
                FixedCtrCtrl = value;
                foreach (var fixedPmc in _fixed)
                {
                    if (((changed >> (4 * fixedPmc.Index)) & 0xF) != 0)
                    {
                        _pmcInUse |= 1UL << fixedPmc.Idx;
                        RequestReprogram(fixedPmc);
                    }
                }

                return MsrAccessResult.Ok;
            case MsrId.Ia32PerfGlobalStatus:
                // Read-only for the guest; the host may restore any non-reserved value.
                if (!hostInitiated || (value & reserved) != 0)
                {
                    return MsrAccessResult.GeneralProtection;
                }

                GlobalStatus = value;
                return MsrAccessResult.Ok;
            case MsrId.Ia32PerfGlobalCtrl:
                if ((value & reserved) != 0)
                {
                    return MsrAccessResult.GeneralProtection;
                }

                ulong diff = GlobalCtrl ^ value;
                GlobalCtrl = value;
                RequestReprogram(diff);
                return MsrAccessResult.Ok;
            case MsrId.Ia32PerfGlobalOvfCtrl:
                if ((value & reserved) != 0)
                {
                    return MsrAccessResult.GeneralProtection;
                }

                if (!hostInitiated)
                {
                    GlobalStatus &= ~value;
                }

                return MsrAccessResult.Ok;
            case MsrId.Ia32PebsEnable:
                if ((value & reserved) != 0)
                {
                    return MsrAccessResult.GeneralProtection;
                }

                ulong pebsDiff = PebsEnable ^ value;
                PebsEnable = value;
                RequestReprogram(pebsDiff);
                return MsrAccessResult.Ok;
            case MsrId.MsrIa32DsArea:
                // intel_pmu_set_msr: a non-canonical linear address faults (48-bit: bits 63:47 equal).
                if (!IsCanonical(value))
                {
                    return MsrAccessResult.GeneralProtection;
                }

                DsArea = value;
                return MsrAccessResult.Ok;
            case MsrId.MsrPebsDataCfg:
                // pebs_data_cfg_rsvd = ~0xff00000f: reserved bits fault, an unchanged value is accepted.
                if (value != PebsDataCfg && (value & reserved) != 0)
                {
                    return MsrAccessResult.GeneralProtection;
                }

                PebsDataCfg = value;
                return MsrAccessResult.Ok;
            case MsrId.Ia32PerfCapabilities:
                return SetPerfCapabilities(value, hostInitiated);
            case MsrId.MsrPerfMetrics:
                if ((value & reserved) != 0)
                {
                    return MsrAccessResult.GeneralProtection;
                }

                // Software zeroes PERF_METRICS (with FIXED_CTR3) to start a new measurement.
                _perfMetricsBase = value;
                ResetMetricsBaseline();
                return MsrAccessResult.Ok;
            default:
                return MsrAccessResult.GeneralProtection;
        }
    }

    /// <summary>
    /// PERF_CAPABILITIES (kvm_set_msr_common, vmx_set_msr): guest writes #GP; the host may set
    /// nothing outside kvm_caps.supported_perf_cap, LBR_FMT either 0 or KVM's, PEBS either off or
    /// exactly KVM's PEBS bits (with DS in the guest), needs PDCM for a non-zero value, and cannot
    /// change it after the first KVM_RUN.
    /// </summary>
    private MsrAccessResult SetPerfCapabilities(ulong value, bool hostInitiated)
    {
        var caps = Caps;
        if (!hostInitiated)
        {
            return MsrAccessResult.GeneralProtection;
        }

        if (!caps.Has(PmuFeatures.Pdcm) && value != 0)
        {
            return MsrAccessResult.GeneralProtection;
        }

        var supported = _vcpu.Vm.Config.Supported.SupportedPerfCapabilities;
        if ((value & ~supported) != 0)
        {
            return MsrAccessResult.GeneralProtection;
        }

        if (value == caps.PerfCapabilities)
        {
            return MsrAccessResult.Ok;
        }

        if (_vcpu.HasRun)
        {
            return MsrAccessResult.GeneralProtection;
        }

        // vmx_set_msr: a non-zero LBR_FMT must be KVM's; with a PEBS format, all the PEBS bits
        // (PERF_CAP_PEBS_MASK) must be KVM's and the guest needs DS.
        var asked = Ia32PerfCapabilities.FromRawUnchecked(value);
        const ulong lbrFormat = 0x3F;
        ulong pebsMask = Ia32PerfCapabilities.Zero.WithPebsTrap(true).WithPebsArchReg(true).WithPebsFormat(0xF).WithPebsBaseline(true).Value;
        if ((value & lbrFormat) != 0 && (value & lbrFormat) != (supported & lbrFormat))
        {
            return MsrAccessResult.GeneralProtection;
        }

        if (asked.PebsFormat != 0 && ((value & pebsMask) != (supported & pebsMask) || !caps.Has(PmuFeatures.Ds)))
        {
            return MsrAccessResult.GeneralProtection;
        }

        _vcpu.GuestCaps = caps with { PerfCapabilities = value };
        _vcpu.RebuildIntercepts();
        return MsrAccessResult.Ok;
    }

    private MsrAccessResult SetAmd(MsrRef register, LegacyPmc? pmc, ulong value, bool hostInitiated)
    {
        var caps = Caps;
        ulong reserved = MsrCatalog.ReservedMask(register, caps);
        switch (register.Id)
        {
            case MsrId.MsrK7Perfctr or MsrId.MsrF15hPerfCtr:
                if (pmc is null)
                {
                    return MsrAccessResult.GeneralProtection;
                }

                WriteCounter(pmc, value);
                return MsrAccessResult.Ok;
            case MsrId.MsrK7Evntsel or MsrId.MsrF15hPerfCtl:
                if (pmc is null)
                {
                    return MsrAccessResult.GeneralProtection;
                }

                // AMD drops reserved event-select bits (Guest/HostOnly included) instead of faulting.
                value &= ~reserved;
                if (value != pmc.Eventsel)
                {
                    pmc.Eventsel = value;
                    RequestReprogram(pmc);
                }

                return MsrAccessResult.Ok;
            case MsrId.MsrAmd64PerfCntrGlobalStatus:
                if (!hostInitiated)
                {
                    // PPR: read-only, writes are ignored.
                    return MsrAccessResult.Ok;
                }

                if ((value & reserved) != 0)
                {
                    return MsrAccessResult.GeneralProtection;
                }

                GlobalStatus = value;
                return MsrAccessResult.Ok;
            case MsrId.MsrAmd64PerfCntrGlobalCtl:
                value &= ~reserved;
                ulong diff = GlobalCtrl ^ value;
                GlobalCtrl = value;
                RequestReprogram(diff);
                return MsrAccessResult.Ok;
            case MsrId.MsrAmd64PerfCntrGlobalStatusClr:
                if (!hostInitiated)
                {
                    GlobalStatus &= ~value;
                }

                return MsrAccessResult.Ok;
            case MsrId.MsrAmd64PerfCntrGlobalStatusSet:
                if (!hostInitiated)
                {
                    GlobalStatus |= value & ~MsrCatalog.ReservedMask(new MsrRef(MsrId.MsrAmd64PerfCntrGlobalStatus, 0), caps);
                }

                return MsrAccessResult.Ok;
            default:
                return MsrAccessResult.GeneralProtection;
        }
    }

    /// <summary>The PMC behind a counter or event-select MSR, or null (also for counters past nr_gp / nr_fixed).</summary>
    private LegacyPmc? PmcOf(MsrRef register)
    {
        int n = register.Index;
        return register.Id switch
        {
            MsrId.Ia32Pmc or MsrId.Ia32APmc or MsrId.Ia32Perfevtsel or MsrId.MsrK7Evntsel or MsrId.MsrK7Perfctr
                or MsrId.MsrF15hPerfCtl or MsrId.MsrF15hPerfCtr => n < _gp.Length ? _gp[n] : null,
            MsrId.Ia32FixedCtr => n < _fixed.Length ? _fixed[n] : null,
            _ => null,
        };
    }

    /// <summary>
    /// kvm_pmu_rdpmc's vendor part. Intel: ECX[31:16] is the type (0 GP, bit 30 fixed; with the
    /// grouped-metrics option bit 29 reads PERF_METRICS), ECX[15:0] the index; anything else #GP.
    /// AMD: ECX is the counter index.
    /// </summary>
    public MsrAccessResult Rdpmc(uint ecx, out ulong value)
    {
        value = 0;
        if (Caps.IsAmd)
        {
            if (ecx >= (uint)_gp.Length)
            {
                return MsrAccessResult.GeneralProtection;
            }

            value = ReadCounter(_gp[ecx]);
            return MsrAccessResult.Ok;
        }

        uint type = ecx & 0xFFFF_0000;
        uint index = ecx & 0xFFFF;
        if (type == PhysicalPmu.RdpmcMetrics && GroupedMetrics)
        {
            value = PerfMetricsValue();
            return MsrAccessResult.Ok;
        }

        LegacyPmc[] counters = type switch
        {
            0 => _gp,
            PhysicalPmu.RdpmcFixed => _fixed,
            _ => System.Array.Empty<LegacyPmc>(),
        };
        if (index >= (uint)counters.Length)
        {
            return MsrAccessResult.GeneralProtection;
        }

        value = ReadCounter(counters[index]);
        return MsrAccessResult.Ok;
    }

    public MsrAccessResult PassthroughRead(MsrRef register, out ulong value) => GetMsr(register, false, out value);

    public MsrAccessResult PassthroughWrite(MsrRef register, ulong value) => SetMsr(register, value, false);
}
