using MsrGen.Registers;
using MsrGen.Runtime.Hardware;

namespace MsrGen.Runtime.Kvm.Pmu;

/// <summary>
/// The Intel vendor ops (arch/x86/kvm/vmx/pmu_intel.c): intel_is_valid_msr(), intel_pmu_get_msr(),
/// intel_pmu_set_msr() and intel_rdpmc_ecx_to_pmc(). Reserved bits of Intel PMU MSRs #GP.
/// </summary>
internal sealed class IntelPmuOps : IPmuVendorOps
{
    public bool IsValidMsr(KvmPmu pmu, MsrRef register, PmuMsr msr, bool hostInitiated)
    {
        var caps = pmu.Caps;
        return msr.Kind switch
        {
            // get_gp_pmc() / get_fw_gp_pmc() / get_fixed_pmc(): refresh leaves no GP PMC at v0 and no fixed PMC below v2.
            PmuMsrKind.GpCounter or PmuMsrKind.FullWidthGpCounter or PmuMsrKind.EventSelect =>
                caps.Version > 0 && MsrCatalog.Exists(register, caps),
            PmuMsrKind.FixedCounter => caps.Version > 1 && MsrCatalog.Exists(register, caps),
            PmuMsrKind.FixedCtrCtrl => pmu.HasGlobalCtrl,
            PmuMsrKind.PebsEnable => caps.PebsFormat != 0,
            // DS_AREA with the guest's DS, PEBS_DATA_CFG with baseline PEBS format 4+ (the catalog's existence rules).
            PmuMsrKind.DsArea or PmuMsrKind.PebsDataCfg => MsrCatalog.Exists(register, caps),
            // kvm_get_msr_common(): a guest without PDCM has no PERF_CAPABILITIES; the host always may.
            PmuMsrKind.PerfCapabilities => hostInitiated || caps.Has(PmuFeatures.Pdcm),
            PmuMsrKind.PerfMetrics => pmu.Metrics is not null && MsrCatalog.Exists(register, caps),
            _ => false,
        };
    }

    public MsrAccessResult GetMsr(KvmPmu pmu, PmuMsr msr, out ulong value)
    {
        value = 0;
        switch (msr.Kind)
        {
            case PmuMsrKind.GpCounter or PmuMsrKind.FullWidthGpCounter or PmuMsrKind.FixedCounter:
                if (!pmu.PmcExists(msr))
                {
                    return MsrAccessResult.GeneralProtection;
                }

                value = pmu.ReadCounter(msr);
                return MsrAccessResult.Ok;
            case PmuMsrKind.EventSelect:
                if (!pmu.PmcExists(msr))
                {
                    return MsrAccessResult.GeneralProtection;
                }

                value = pmu.Design.ReadEventSelect(msr.Index);
                return MsrAccessResult.Ok;
            case PmuMsrKind.FixedCtrCtrl:
                value = pmu.Design.FixedCtrCtrl;
                return MsrAccessResult.Ok;
            case PmuMsrKind.PebsEnable:
                value = pmu.PebsEnable;
                return MsrAccessResult.Ok;
            case PmuMsrKind.DsArea:
                value = pmu.DsArea;
                return MsrAccessResult.Ok;
            case PmuMsrKind.PebsDataCfg:
                value = pmu.PebsDataCfg;
                return MsrAccessResult.Ok;
            case PmuMsrKind.PerfCapabilities:
                value = pmu.Caps.PerfCapabilities;
                return MsrAccessResult.Ok;
            case PmuMsrKind.PerfMetrics when pmu.Metrics is { } metrics:
                value = metrics.ReadPerfMetrics();
                return MsrAccessResult.Ok;
            default:
                return MsrAccessResult.GeneralProtection;
        }
    }

    public MsrAccessResult SetMsr(KvmPmu pmu, MsrRef register, PmuMsr msr, ulong data, bool hostInitiated)
    {
        var caps = pmu.Caps;
        ulong reserved = MsrCatalog.ReservedMask(register, caps);
        switch (msr.Kind)
        {
            case PmuMsrKind.GpCounter or PmuMsrKind.FullWidthGpCounter:
                if (!pmu.PmcExists(msr))
                {
                    return MsrAccessResult.GeneralProtection;
                }

                bool fullWidth = msr.Kind == PmuMsrKind.FullWidthGpCounter;
                if (fullWidth && (data & ~pmu.CounterMask(msr)) != 0)
                {
                    return MsrAccessResult.GeneralProtection;
                }

                if (!hostInitiated && !fullWidth)
                {
                    // The P6 alias takes 32 bits and sign-extends them; userspace restores the value as it is.
                    data = (ulong)(long)(int)(uint)data;
                }

                pmu.WriteCounter(msr, data);
                return MsrAccessResult.Ok;
            case PmuMsrKind.FixedCounter:
                if (!pmu.PmcExists(msr))
                {
                    return MsrAccessResult.GeneralProtection;
                }

                pmu.WriteCounter(msr, data);
                return MsrAccessResult.Ok;
            case PmuMsrKind.EventSelect:
                if (!pmu.PmcExists(msr) || (data & reserved) != 0)
                {
                    return MsrAccessResult.GeneralProtection;
                }

                pmu.Design.WriteEventSelect(msr.Index, data);
                return MsrAccessResult.Ok;
            case PmuMsrKind.FixedCtrCtrl:
                if ((data & reserved) != 0)
                {
                    return MsrAccessResult.GeneralProtection;
                }

                MarkChangedFixedInUse(pmu, pmu.Design.FixedCtrCtrl ^ data);
                pmu.Design.WriteFixedCtrCtrl(data);
                return MsrAccessResult.Ok;
            case PmuMsrKind.PebsEnable:
                if ((data & reserved) != 0)
                {
                    return MsrAccessResult.GeneralProtection;
                }

                pmu.SetPebsEnable(data);
                return MsrAccessResult.Ok;
            case PmuMsrKind.DsArea:
                // A non-canonical linear address faults (48-bit: bits 63:47 equal).
                if (!IsCanonical(data))
                {
                    return MsrAccessResult.GeneralProtection;
                }

                pmu.SetDsArea(data);
                return MsrAccessResult.Ok;
            case PmuMsrKind.PebsDataCfg:
                // pebs_data_cfg_rsvd: reserved bits fault, an unchanged value is accepted.
                if (data != pmu.PebsDataCfg && (data & reserved) != 0)
                {
                    return MsrAccessResult.GeneralProtection;
                }

                pmu.SetPebsDataCfg(data);
                return MsrAccessResult.Ok;
            case PmuMsrKind.PerfMetrics when pmu.Metrics is { } metrics:
                if ((data & reserved) != 0)
                {
                    return MsrAccessResult.GeneralProtection;
                }

                metrics.WritePerfMetrics(data);
                return MsrAccessResult.Ok;
            default:
                // PERF_CAPABILITIES is kvm_set_msr_common()'s (the vCPU); nothing else is writable here.
                return MsrAccessResult.GeneralProtection;
        }
    }

    /// <summary>
    /// intel_rdpmc_ecx_to_pmc(): ECX[31:16] is the type (0 GP, bit 30 fixed; with the grouped-metrics
    /// option bit 29 reads PERF_METRICS), ECX[15:0] the index; any other type #GPs.
    /// </summary>
    public MsrAccessResult Rdpmc(KvmPmu pmu, uint ecx, out ulong value)
    {
        value = 0;
        uint type = ecx & 0xFFFF_0000;
        int index = (int)(ecx & 0xFFFF);
        if (type == PhysicalPmu.RdpmcMetrics && pmu.Metrics is { } metrics)
        {
            value = metrics.ReadPerfMetrics();
            return MsrAccessResult.Ok;
        }

        PmuMsr pmc;
        switch (type)
        {
            case 0:
                pmc = PmuMsr.Gp(index);
                break;
            case PhysicalPmu.RdpmcFixed:
                pmc = PmuMsr.Fixed(index);
                break;
            default:
                return MsrAccessResult.GeneralProtection;
        }

        if (!pmu.PmcExists(pmc))
        {
            return MsrAccessResult.GeneralProtection;
        }

        value = pmu.ReadCounter(pmc);
        return MsrAccessResult.Ok;
    }

    /// <summary>reprogram_fixed_counters(): a fixed PMC whose 4-bit field changed is in use.</summary>
    private static void MarkChangedFixedInUse(KvmPmu pmu, ulong changed)
    {
        for (int i = 0; i < pmu.Design.FixedCounters; i++)
        {
            if (((changed >> (4 * i)) & 0xF) != 0)
            {
                pmu.MarkInUse(PmuMsr.FixedBase + i);
            }
        }
    }

    private static bool IsCanonical(ulong address) => (ulong)((long)(address << 16) >> 16) == address;
}
