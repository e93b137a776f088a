using MsrGen.Registers;
using MsrGen.Runtime.Mediated;
using MsrGen.Runtime.Reporting;
using MsrGen.Runtime.Traces;

namespace MsrGen.Runtime.Comparisons;

/// <summary>
/// What one design measured on one workload (totals; the table derives rates). Host blind cycles
/// are the host work cycles run while host perf held its exclude_guest events off the PMU.
/// </summary>
public readonly record struct DesignMeasures(
    long Exits,
    long Switches,
    PmuOpCounts Ops,
    ulong HostCycles,
    ulong GuestCycles,
    ulong HostBlindCycles,
    ulong HostWorkCycles);

/// <summary>
/// One vPMU design driven by a comparison workload: the guest's PMU programming, native work,
/// exits and PMI handling, host perf events and host work on the same CPU.
/// </summary>
internal interface IComparisonBackend
{
    string Design { get; }
    PmuCaps Guest { get; }

    void OpenHostEvents(int count);
    void GuestProgram(int counter, bool interrupt, ulong startValue);
    void GuestGlobalEnable(ulong mask);
    void GuestRun(ulong instructions);
    long GuestPmisInjected { get; }
    void GuestPmiHandler(ulong counterMask, ulong rearmValue);
    void Exits(ulong fastpath, ulong slow);
    void HostRun(ulong instructions);
    ulong GuestReadCounter(int counter);
    ulong HostEventCount(int index);
    DesignMeasures Measures();
}
