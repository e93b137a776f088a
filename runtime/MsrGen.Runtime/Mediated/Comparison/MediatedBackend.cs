using System.Collections.Generic;
using MsrGen.Registers;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.HostPerf;
using MsrGen.Runtime.Kvm;
using MsrGen.Runtime.Mediated.Integration;

namespace MsrGen.Runtime.Mediated.Comparison;

/// <summary>
/// The mediated vPMU at one placement, as the runtime implements it (<c>vpmu=mediated</c> with
/// <c>placement=</c>), driven by the same workload on the same substrate as <see cref="LegacyBackend"/>.
/// Host cycles come from the VM's metrics exactly as for the legacy design; switches are the vPMU's
/// loads and puts; host blind time is the host work run while host perf's guest context was loaded.
/// </summary>
internal sealed class MediatedBackend : IComparisonBackend
{
    private readonly Vm _vm;
    private readonly Vcpu _vcpu;
    private readonly MediatedRuntimeVpmu _pmu;
    private readonly MediatedCostTable _costs;
    private readonly List<PerfEvent> _hostEvents = new();
    private readonly EventBatch _batch = new();
    private ulong _guestCycles;
    private ulong _hostWorkCycles;
    private ulong _hostBlindCycles;

    public MediatedBackend(PmuCaps host, SwitchPlacement placement, MediatedCostTable costs)
    {
        var options = new Dictionary<string, string>(System.StringComparer.Ordinal) { ["placement"] = PlacementComparison.PlacementName(placement) };
        _vm = RuntimeSubstrate.CreateVm(host, VpmuMode.Mediated, options);
        _vcpu = _vm.Vcpus[0];
        _pmu = _vcpu.Pmu as MediatedRuntimeVpmu ?? throw new System.InvalidOperationException("vpmu=mediated did not create the mediated vPMU");
        _costs = costs;
        Guest = _vcpu.GuestCaps;
        Design = "mediated " + PlacementComparison.PlacementName(placement);
        _vcpu.Lvtpc = LvtpcValues.DeliveryNmi; // a Linux guest's perf uses NMI delivery, unmasked
    }

    public string Design { get; }
    public PmuCaps Guest { get; }
    public long GuestPmisInjected => _vm.Metrics.Pmis;

    private uint CounterAddress(int i) => Guest.IsIntel ? Ia32APmc.AddressOf(i) : MsrF15hPerfCtr.AddressOf(i);

    public void OpenHostEvents(int count)
    {
        var perf = _vcpu.Cpu.Perf;
        for (int i = 0; i < count; i++)
        {
            var attr = new PerfEventAttr { Config = PmuEventSelect.Events.Instructions, ExcludeGuest = true, Pinned = true };
            if (perf.Open("host" + i, attr, null, null, null, out var ev) == PerfError.None && ev is not null)
            {
                perf.Enable(ev);
                _hostEvents.Add(ev);
            }
        }
    }

    public void GuestProgram(int counter, bool interrupt, ulong startValue)
    {
        _vcpu.GuestWrmsr(CounterAddress(counter), startValue);
        uint select = Guest.IsIntel ? Ia32Perfevtsel.AddressOf(counter) : MsrF15hPerfCtl.AddressOf(counter);
        _vcpu.GuestWrmsr(select, PmuEventSelect.Counting(PmuEventSelect.Events.Instructions, interrupt));
    }

    public void GuestGlobalEnable(ulong mask) =>
        _vcpu.GuestWrmsr(Guest.IsIntel ? Ia32PerfGlobalCtrl.Address : MsrAmd64PerfCntrGlobalCtl.Address, mask);

    public void GuestRun(ulong instructions)
    {
        _guestCycles += instructions;
        _vcpu.GuestRun(_batch.Clear().Add(PmuEventSelect.Events.Instructions, instructions).WithCycles(instructions));
    }

    public void GuestPmiHandler(ulong counterMask, ulong rearmValue)
    {
        bool intel = Guest.IsIntel;
        ulong status = _vcpu.GuestRdmsr(intel ? Ia32PerfGlobalStatus.Address : MsrAmd64PerfCntrGlobalStatus.Address).Value;
        _vcpu.GuestWrmsr(intel ? Ia32PerfGlobalOvfCtrl.Address : MsrAmd64PerfCntrGlobalStatusClr.Address, status);
        for (int i = 0; i < Guest.GpCounters; i++)
        {
            if ((counterMask & (1UL << i)) != 0)
            {
                _vcpu.GuestWrmsr(CounterAddress(i), rearmValue);
            }
        }

        // Unmasking LVTPC is an APIC write that exits (not a fastpath one).
        _vcpu.Lvtpc &= ~LvtpcValues.Masked;
        _vcpu.GuestExits(fastpath: 0, slow: 1);
    }

    public void Exits(ulong fastpath, ulong slow) => _vcpu.GuestExits(fastpath, slow);

    public void HostRun(ulong instructions)
    {
        // Host work inside KVM_RUN (halt-polling, interrupt handlers, a kernel thread on the CPU): an
        // external-interrupt exit leaves the vCPU in its run loop with whatever PMU state the
        // placement keeps loaded there; host perf is blind for as long as the guest context is.
        _vcpu.InterruptGuest();
        _hostWorkCycles += instructions;
        if (_vcpu.Cpu.Perf.GuestContextLoaded)
        {
            _hostBlindCycles += instructions;
        }

        _vcpu.Cpu.Perf.RunHost(_batch.Clear().Add(PmuEventSelect.Events.Instructions, instructions).WithCycles(instructions), cpl: 0);
    }

    public ulong GuestReadCounter(int counter) => _vcpu.GuestRdmsr(CounterAddress(counter)).Value;

    public ulong HostEventCount(int index) => index < _hostEvents.Count ? _vcpu.Cpu.Perf.Read(_hostEvents[index]) : 0;

    public DesignMeasures Measures()
    {
        var m = _vm.Metrics;
        var switchOps = _pmu.State.Hardware.Counts;
        var ops = RuntimeSubstrate.Ops(m, switchOps.LvtpcWrites, switchOps.VmcsGlobalCtrl);
        return new DesignMeasures(
            m.Exits, _pmu.State.Loads + _pmu.State.Puts, ops, RuntimeSubstrate.HostCycles(m, ops, _costs), _guestCycles, _hostBlindCycles, _hostWorkCycles);
    }
}
