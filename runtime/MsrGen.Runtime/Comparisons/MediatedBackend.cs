using System.Collections.Generic;
using MsrGen.Registers;
using MsrGen.Runtime.Kvm;
using MsrGen.Runtime.Mediated;
using MsrGen.Runtime.Mediated.Integration;
using MsrGen.Runtime.Traces;

namespace MsrGen.Runtime.Comparisons;

/// <summary>
/// The mediated vPMU at one placement, as the runtime implements it (<c>vpmu=mediated</c> with
/// <c>placement=</c>), driven by the same workload on the same substrate as <see cref="LegacyBackend"/>.
/// Host cycles come from the VM's metrics exactly as for the legacy design; switches are the vPMU's
/// loads and puts; host blind time is the host work run while host perf's guest context was loaded.
/// </summary>
internal sealed class MediatedBackend : RuntimeBackend
{
    private readonly MediatedRuntimeVpmu _pmu;
    private ulong _hostBlindCycles;

    public MediatedBackend(PmuCaps host, SwitchPlacement placement, Cost.CostTable costs)
        : base(host, VpmuMode.Mediated, Options(placement), costs)
    {
        _pmu = Vcpu.Pmu as MediatedRuntimeVpmu ?? throw new System.InvalidOperationException("vpmu=mediated did not create the mediated vPMU");
        Design = MsrGen.Runtime.Reporting.DesignNames.Mediated(PlacementComparison.PlacementName(placement));
    }

    public override string Design { get; }

    protected override long Switches => _pmu.State.Loads + _pmu.State.Puts;

    protected override ulong HostBlindCycles => _hostBlindCycles;

    protected override void LeaveGuestForHostWork(ulong instructions)
    {
        // Host work inside KVM_RUN (halt-polling, interrupt handlers, a kernel thread on the CPU): an
        // external-interrupt exit leaves the vCPU in its run loop with whatever PMU state the
        // placement keeps loaded there; host perf is blind for as long as the guest context is.
        Vcpu.InterruptGuest();
        if (Vcpu.Cpu.Perf.GuestContextLoaded)
        {
            _hostBlindCycles += instructions;
        }
    }

    private static Dictionary<string, string> Options(SwitchPlacement placement) =>
        new(System.StringComparer.Ordinal) { ["placement"] = PlacementComparison.PlacementName(placement) };
}
