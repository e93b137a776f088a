using System.Collections.Generic;
using MsrGen.Registers;
using MsrGen.Runtime.Kvm;
using MsrGen.Runtime.Mediated;
using MsrGen.Runtime.Mediated.Integration;
using MsrGen.Runtime.Reporting;
using MsrGen.Runtime.Traces;

namespace MsrGen.Runtime.Comparisons;

/// <summary>
/// The legacy perf-emulated vPMU, as the runtime implements it, driven by the same workload. Host
/// cycles are the VM's own <c>Metrics.Cost</c>, as for every design (<see cref="RuntimeBackend.Measures"/>).
/// </summary>
internal sealed class LegacyBackend : RuntimeBackend
{
    public LegacyBackend(PmuCaps host, Cost.CostTable costs)
        : base(host, VpmuMode.Emulated, new Dictionary<string, string>(), costs)
    {
    }

    public override string Design => MsrGen.Runtime.Reporting.DesignNames.Emulated;

    // The guest's counters are host perf events; host work needs no PMU switch, only the vCPU off the CPU.
    protected override void LeaveGuestForHostWork(ulong instructions) => Vcpu.Idle(0);
}
