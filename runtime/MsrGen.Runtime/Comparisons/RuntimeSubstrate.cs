using System.Collections.Generic;
using MsrGen.Registers;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.Kvm;
using MsrGen.Runtime.Mediated;
using MsrGen.Runtime.Metrics;

namespace MsrGen.Runtime.Comparisons;

/// <summary>
/// What every design of the comparison shares: a one-CPU runtime host with the comparison's PMU,
/// a one-vCPU VM with the design's vPMU, and host cycles read from the VM's metrics.
/// </summary>
internal static class RuntimeSubstrate
{
    /// <summary>A VM of <paramref name="mode"/> with <paramref name="options"/> on a fresh host whose PMU is <paramref name="host"/>.</summary>
    public static Vm CreateVm(PmuCaps host, VpmuMode mode, IReadOnlyDictionary<string, string> options, Cost.CostTable costs)
    {
        var model = new HostCpuModel("comparison", host, LbrCallStack: false, PebsPdist: false, PebsPdir: false, Source: "placement comparison host");
        var machine = new HostMachine(model, new KvmModuleParameters { EnableMediatedPmu = mode == VpmuMode.Mediated }, costs);
        var creation = Vm.Create(machine, new VmRequest { Mode = mode, Lbr = "none", Options = options });
        return creation.Vm ?? throw new System.InvalidOperationException(creation.Message);
    }

    /// <summary>The physical operations the VM's metrics counted: PMU RDMSR / WRMSR / RDPMC and the mediated vPMU's LVTPC writes.</summary>
    public static PmuOpCounts Ops(VmMetrics metrics) =>
        new(metrics.Hardware.MsrReads, metrics.Hardware.MsrWrites, metrics.Hardware.Rdpmcs, metrics.Hardware.LvtpcWrites, 0);
}
