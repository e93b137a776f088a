using System.Globalization;
using MsrGen.Registers;

namespace MsrGen.Runtime.Traces;

/// <summary>
/// The names Linux gives these MSRs in arch/x86/include/asm/msr-index.h (what a kernel developer
/// greps for), next to the SDM names the catalog uses. Arrays whose header defines only the first
/// instance print it with an offset (<c>MSR_ARCH_PERFMON_EVENTSEL0+3</c>), as perf computes them.
/// </summary>
public static class KernelMsrNames
{
    public static string? Of(MsrRef register)
    {
        int n = register.Index;
        return register.Id switch
        {
            MsrId.Ia32Pmc => Offset("MSR_ARCH_PERFMON_PERFCTR0", n),
            MsrId.Ia32Perfevtsel => Offset("MSR_ARCH_PERFMON_EVENTSEL0", n),
            MsrId.Ia32APmc => Offset("MSR_IA32_PMC0", n),
            MsrId.Ia32FixedCtr => Numbered("MSR_CORE_PERF_FIXED_CTR", n),
            MsrId.Ia32FixedCtrCtrl => "MSR_CORE_PERF_FIXED_CTR_CTRL",
            MsrId.Ia32PerfGlobalStatus => "MSR_CORE_PERF_GLOBAL_STATUS",
            MsrId.Ia32PerfGlobalCtrl => "MSR_CORE_PERF_GLOBAL_CTRL",
            MsrId.Ia32PerfGlobalOvfCtrl => "MSR_CORE_PERF_GLOBAL_OVF_CTRL",
            MsrId.Ia32PerfGlobalStatusSet => "MSR_CORE_PERF_GLOBAL_STATUS_SET",
            MsrId.Ia32PebsEnable => "MSR_IA32_PEBS_ENABLE",
            MsrId.Ia32PerfCapabilities => "MSR_IA32_PERF_CAPABILITIES",
            MsrId.MsrPerfMetrics => "MSR_PERF_METRICS",
            MsrId.Ia32MiscEnable => "MSR_IA32_MISC_ENABLE",
            MsrId.Ia32Debugctl => "MSR_IA32_DEBUGCTLMSR",
            MsrId.MsrLbrSelect => "MSR_LBR_SELECT",
            MsrId.MsrLbrTos => "MSR_LBR_TOS",
            MsrId.MsrLbrCoreFrom => Offset("MSR_LBR_CORE_FROM", n),
            MsrId.MsrLbrCoreTo => Offset("MSR_LBR_CORE_TO", n),
            MsrId.MsrLbrNhmFrom => Offset("MSR_LBR_NHM_FROM", n),
            MsrId.MsrLbrNhmTo => Offset("MSR_LBR_NHM_TO", n),
            MsrId.MsrLbrInfo => Offset("MSR_LBR_INFO_0", n),
            MsrId.Ia32LbrInfo => Offset("MSR_ARCH_LBR_INFO_0", n),
            MsrId.Ia32LbrCtl => "MSR_ARCH_LBR_CTL",
            MsrId.Ia32LbrDepth => "MSR_ARCH_LBR_DEPTH",
            MsrId.Ia32LbrFromIp => Offset("MSR_ARCH_LBR_FROM_0", n),
            MsrId.Ia32LbrToIp => Offset("MSR_ARCH_LBR_TO_0", n),
            MsrId.MsrKvmPollControl => "MSR_KVM_POLL_CONTROL",
            MsrId.MsrAmd64PerfCntrGlobalStatus => "MSR_AMD64_PERF_CNTR_GLOBAL_STATUS",
            MsrId.MsrAmd64PerfCntrGlobalCtl => "MSR_AMD64_PERF_CNTR_GLOBAL_CTL",
            MsrId.MsrAmd64PerfCntrGlobalStatusClr => "MSR_AMD64_PERF_CNTR_GLOBAL_STATUS_CLR",
            MsrId.MsrAmd64PerfCntrGlobalStatusSet => "MSR_AMD64_PERF_CNTR_GLOBAL_STATUS_SET",
            MsrId.MsrK7Evntsel => Numbered("MSR_K7_EVNTSEL", n),
            MsrId.MsrK7Perfctr => Numbered("MSR_K7_PERFCTR", n),
            MsrId.MsrF15hPerfCtl => Numbered("MSR_F15H_PERF_CTL", n),
            MsrId.MsrF15hPerfCtr => Numbered("MSR_F15H_PERF_CTR", n),
            _ => null,
        };
    }

    private static string Offset(string first, int n) =>
        n == 0 ? first : string.Create(CultureInfo.InvariantCulture, $"{first}+{n}");

    private static string Numbered(string stem, int n) => string.Create(CultureInfo.InvariantCulture, $"{stem}{n}");
}
