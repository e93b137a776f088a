using MsrGen.Registers;

namespace MsrGen.Runtime.Kvm.Pmu;

/// <summary>
/// What a vPMU design supplies to the common PMU layer (<see cref="KvmPmu"/>): where each guest
/// value lives and what a change sets in motion. The perf-emulated design keeps counters as a
/// perf event's count plus a base and reprograms events (arch/x86/kvm/pmu.c reprogram_counter());
/// the mediated design keeps a register file that is switched with the hardware (the mediated
/// PMU's load/put). Validity, reserved bits, sign extension and counter widths are not theirs.
/// </summary>
internal interface IPmuDesign
{
    /// <summary>The guest's PMU as this design was built for it.</summary>
    PmuCaps Caps { get; }

    /// <summary>GP and fixed PMCs that exist (nr_arch_gp_counters / nr_arch_fixed_counters).</summary>
    int GpCounters { get; }

    int FixedCounters { get; }

    /// <summary>pmc_read_counter() before the width mask.</summary>
    ulong ReadCounter(PmuMsr pmc);

    /// <summary>pmc_write_counter() with a value already cut to the counter width.</summary>
    void WriteCounter(PmuMsr pmc, ulong value);

    ulong ReadEventSelect(int index);

    /// <summary>A GP event select the vendor code accepted (reserved bits refused or dropped already).</summary>
    void WriteEventSelect(int index, ulong value);

    ulong FixedCtrCtrl { get; }

    void WriteFixedCtrCtrl(ulong value);

    ulong GlobalCtrl { get; }

    /// <summary>Every accepted GLOBAL_CTRL write (the mediated PMU forwards even an unchanged one to the VMCS/VMCB).</summary>
    void WriteGlobalCtrl(ulong value);

    ulong GlobalStatus { get; }

    void ClearGlobalStatus(ulong bits);

    void SetGlobalStatus(ulong bits);

    /// <summary>KVM_SET_MSRS of GLOBAL_STATUS: the whole value (reserved bits refused already).</summary>
    void RestoreGlobalStatus(ulong value);

    /// <summary>reprogram_counters(): the PMCs whose bits changed (PEBS_ENABLE).</summary>
    void ReprogramCounters(ulong diff);
}

/// <summary>A design that offers MSR_PERF_METRICS (the perf-emulated design's grouped-events option).</summary>
internal interface IPerfMetricsDesign
{
    bool PerfMetricsEnabled { get; }

    ulong ReadPerfMetrics();

    void WritePerfMetrics(ulong value);
}
