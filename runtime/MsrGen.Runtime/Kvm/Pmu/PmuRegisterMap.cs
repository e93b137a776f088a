using MsrGen.Registers;

namespace MsrGen.Runtime.Kvm.Pmu;

/// <summary>What a PMU MSR is to KVM, whichever vendor spells it (arch/x86/kvm/pmu.c and the vendors' msr_idx_to_pmc()).</summary>
public enum PmuMsrKind : byte
{
    /// <summary>Not a PMU MSR of this vendor (or one KVM does not give the guest, like IA32_PERF_GLOBAL_STATUS_SET).</summary>
    None = 0,
    /// <summary>IA32_PMCx (P6 alias: 32-bit writes sign-extend), MSR_K7_PERFCTRx, MSR_F15H_PERF_CTRx.</summary>
    GpCounter,
    /// <summary>IA32_A_PMCx: full-width writes (PERF_CAPABILITIES.FW_WRITE).</summary>
    FullWidthGpCounter,
    /// <summary>IA32_PERFEVTSELx, MSR_K7_EVNTSELx, MSR_F15H_PERF_CTLx.</summary>
    EventSelect,
    FixedCounter,
    FixedCtrCtrl,
    GlobalCtrl,
    GlobalStatus,
    /// <summary>IA32_PERF_GLOBAL_OVF_CTRL (a.k.a. GLOBAL_STATUS_RESET) and PerfCntrGlobalStatusClr.</summary>
    GlobalStatusReset,
    /// <summary>PerfCntrGlobalStatusSet (AMD PerfMonV2).</summary>
    GlobalStatusSet,
    PebsEnable,
    DsArea,
    PebsDataCfg,
    PerfCapabilities,
    /// <summary>MSR_PERF_METRICS (the grouped-events option of the perf-emulated design).</summary>
    PerfMetrics,
}

/// <summary>A PMU MSR as KVM sees it: the kind and, for counters and event selects, the counter index.</summary>
public readonly record struct PmuMsr(PmuMsrKind Kind, int Index)
{
    /// <summary>KVM's pmc->idx of the first fixed counter (INTEL_PMC_IDX_FIXED).</summary>
    public const int FixedBase = 32;

    public bool IsCounter => Kind is PmuMsrKind.GpCounter or PmuMsrKind.FullWidthGpCounter or PmuMsrKind.FixedCounter;

    /// <summary>The MSR belongs to one PMC (its counter or its event select).</summary>
    public bool NamesPmc => IsCounter || Kind == PmuMsrKind.EventSelect;

    public bool IsFixed => Kind == PmuMsrKind.FixedCounter;

    /// <summary>pmc->idx: GP i is i, fixed i is 32 + i (the bit in GLOBAL_CTRL / GLOBAL_STATUS).</summary>
    public int PmcIdx => IsFixed ? FixedBase + Index : Index;

    public static PmuMsr Gp(int index) => new(PmuMsrKind.GpCounter, index);

    public static PmuMsr Fixed(int index) => new(PmuMsrKind.FixedCounter, index);
}

/// <summary>
/// The one place a resolved catalog register becomes a PMU register of a vendor: Intel's and AMD's
/// spellings of the same thing map to the same kind, and the other vendor's MSRs map to
/// <see cref="PmuMsrKind.None"/> (KVM's vendor is_valid_msr() never accepts them).
/// </summary>
public static class PmuRegisterMap
{
    public static PmuMsr Of(MsrRef register, CpuVendor vendor) =>
        vendor == CpuVendor.Intel ? Intel(register) : Amd(register);

    private static PmuMsr Intel(MsrRef register)
    {
        var kind = register.Id switch
        {
            MsrId.Ia32Pmc => PmuMsrKind.GpCounter,
            MsrId.Ia32APmc => PmuMsrKind.FullWidthGpCounter,
            MsrId.Ia32Perfevtsel => PmuMsrKind.EventSelect,
            MsrId.Ia32FixedCtr => PmuMsrKind.FixedCounter,
            MsrId.Ia32FixedCtrCtrl => PmuMsrKind.FixedCtrCtrl,
            MsrId.Ia32PerfGlobalCtrl => PmuMsrKind.GlobalCtrl,
            MsrId.Ia32PerfGlobalStatus => PmuMsrKind.GlobalStatus,
            MsrId.Ia32PerfGlobalOvfCtrl => PmuMsrKind.GlobalStatusReset,
            MsrId.Ia32PebsEnable => PmuMsrKind.PebsEnable,
            MsrId.MsrIa32DsArea => PmuMsrKind.DsArea,
            MsrId.MsrPebsDataCfg => PmuMsrKind.PebsDataCfg,
            MsrId.Ia32PerfCapabilities => PmuMsrKind.PerfCapabilities,
            MsrId.MsrPerfMetrics => PmuMsrKind.PerfMetrics,
            _ => PmuMsrKind.None,
        };
        return new PmuMsr(kind, register.Index);
    }

    private static PmuMsr Amd(MsrRef register)
    {
        var kind = register.Id switch
        {
            MsrId.MsrK7Perfctr or MsrId.MsrF15hPerfCtr => PmuMsrKind.GpCounter,
            MsrId.MsrK7Evntsel or MsrId.MsrF15hPerfCtl => PmuMsrKind.EventSelect,
            MsrId.MsrAmd64PerfCntrGlobalCtl => PmuMsrKind.GlobalCtrl,
            MsrId.MsrAmd64PerfCntrGlobalStatus => PmuMsrKind.GlobalStatus,
            MsrId.MsrAmd64PerfCntrGlobalStatusClr => PmuMsrKind.GlobalStatusReset,
            MsrId.MsrAmd64PerfCntrGlobalStatusSet => PmuMsrKind.GlobalStatusSet,
            _ => PmuMsrKind.None,
        };
        return new PmuMsr(kind, register.Index);
    }
}
