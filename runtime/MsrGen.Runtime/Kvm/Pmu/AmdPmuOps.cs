using MsrGen.Registers;

namespace MsrGen.Runtime.Kvm.Pmu;

/// <summary>
/// The AMD vendor ops (arch/x86/kvm/svm/pmu.c): amd_is_valid_msr(), amd_pmu_get_msr(),
/// amd_pmu_set_msr() and amd_rdpmc_ecx_to_pmc(). The legacy K7 MSRs and the F15H (PERFCTR_CORE)
/// MSRs name the same PMCs; reserved event-select bits are dropped, never a #GP.
/// </summary>
internal sealed class AmdPmuOps : IPmuVendorOps
{
    public bool IsValidMsr(KvmPmu pmu, MsrRef register, PmuMsr msr, bool hostInitiated)
    {
        var caps = pmu.Caps;
        return msr.Kind switch
        {
            PmuMsrKind.GpCounter or PmuMsrKind.EventSelect => register.Id is MsrId.MsrK7Evntsel or MsrId.MsrK7Perfctr
                ? caps.Version > 0
                : caps.Has(PmuFeatures.PerfctrCore),
            // The PerfMonV2 global MSRs.
            PmuMsrKind.GlobalCtrl or PmuMsrKind.GlobalStatus or PmuMsrKind.GlobalStatusReset or PmuMsrKind.GlobalStatusSet => pmu.HasGlobalCtrl,
            _ => false,
        };
    }

    public MsrAccessResult GetMsr(KvmPmu pmu, PmuMsr msr, out ulong value)
    {
        value = 0;
        if (!msr.NamesPmc || !pmu.PmcExists(msr))
        {
            // get_gp_pmc_amd() finds no PMC past nr_arch_gp_counters.
            return MsrAccessResult.GeneralProtection;
        }

        value = msr.IsCounter ? pmu.ReadCounter(msr) : pmu.Design.ReadEventSelect(msr.Index);
        return MsrAccessResult.Ok;
    }

    public MsrAccessResult SetMsr(KvmPmu pmu, MsrRef register, PmuMsr msr, ulong data, bool hostInitiated)
    {
        if (!msr.NamesPmc || !pmu.PmcExists(msr))
        {
            return MsrAccessResult.GeneralProtection;
        }

        if (msr.IsCounter)
        {
            pmu.WriteCounter(msr, data);
        }
        else
        {
            // Reserved bits (Guest/HostOnly included) are dropped instead of faulting.
            pmu.Design.WriteEventSelect(msr.Index, data & ~MsrCatalog.ReservedMask(register, pmu.Caps));
        }

        return MsrAccessResult.Ok;
    }

    /// <summary>amd_rdpmc_ecx_to_pmc(): ECX is the GP counter index.</summary>
    public MsrAccessResult Rdpmc(KvmPmu pmu, uint ecx, out ulong value)
    {
        value = 0;
        if (ecx >= (uint)pmu.Design.GpCounters)
        {
            return MsrAccessResult.GeneralProtection;
        }

        value = pmu.ReadCounter(PmuMsr.Gp((int)ecx));
        return MsrAccessResult.Ok;
    }
}
