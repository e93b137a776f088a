using System.Collections.Generic;
using MsrGen.Registers;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.Kvm;
using MsrGen.Runtime.Mediated;
using MsrGen.Runtime.Metrics;
using MsrGen.Runtime.Traces;

namespace MsrGen.Runtime.Comparisons;

/// <summary>
/// What every design of the comparison shares: a one-CPU runtime host with the comparison's PMU,
/// a one-vCPU VM with the design's vPMU, and host cycles read from the VM's metrics.
/// </summary>
internal static class RuntimeSubstrate
{
    private static readonly HashSet<string> SharedPrimitives = new(System.StringComparer.Ordinal)
    {
        Cost.CostTable.VmExit, Cost.CostTable.VmExitFastpath, Cost.CostTable.Wrmsr, Cost.CostTable.Rdmsr, Cost.CostTable.Rdpmc,
    };

    /// <summary>A VM of <paramref name="mode"/> with <paramref name="options"/> on a fresh host whose PMU is <paramref name="host"/>.</summary>
    public static Vm CreateVm(PmuCaps host, VpmuMode mode, IReadOnlyDictionary<string, string> options, Cost.CostTable costs)
    {
        var model = new HostCpuModel("comparison", host, LbrCallStack: false, PebsPdist: false, PebsPdir: false, Source: "placement comparison host");
        var machine = new HostMachine(model, new KvmModuleParameters { EnableMediatedPmu = mode == VpmuMode.Mediated }, costs);
        var creation = Vm.Create(machine, new VmRequest { Mode = mode, Lbr = "none", Options = options });
        return creation.Vm ?? throw new System.InvalidOperationException(creation.Message);
    }

    /// <summary>The physical PMU accesses the VM's metrics counted, plus the LVTPC and VMCS writes a design reports itself.</summary>
    public static PmuOpCounts Ops(VmMetrics metrics, long lvtpcWrites = 0, long vmcsGlobalCtrl = 0) =>
        new(metrics.Hardware.MsrReads, metrics.Hardware.MsrWrites, metrics.Hardware.Rdpmcs, lvtpcWrites, vmcsGlobalCtrl);

    /// <summary>
    /// Host cycles, all from the runtime's one cost table: exits and the physical PMU operations
    /// counted in <paramref name="ops"/> (including the LVTPC writes and VMCS reads a design
    /// reports itself), plus everything else the runtime charged (perf event
    /// create/release/period/pause, PMU requests, PMI handling).
    /// </summary>
    public static ulong HostCycles(VmMetrics metrics, PmuOpCounts ops, Cost.CostTable costs)
    {
        ulong cycles = (ulong)(metrics.Exits - metrics.FastpathExits) * costs[Cost.CostTable.VmExit]
            + (ulong)metrics.FastpathExits * costs[Cost.CostTable.VmExitFastpath] + ops.Cycles(costs);
        foreach (var (primitive, cost) in metrics.CostByPrimitive)
        {
            if (!SharedPrimitives.Contains(primitive))
            {
                cycles += cost;
            }
        }

        return cycles;
    }
}
