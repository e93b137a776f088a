using System.Collections.Generic;
using MsrGen.Registers;

namespace MsrGen.Runtime.Mediated.Comparison;

/// <summary>The mediated vPMU at one placement, on the register-file PMU and the per-CPU host perf model.</summary>
internal sealed class MediatedBackend : IComparisonBackend
{
    private readonly RegisterFilePmu _cpu;
    private readonly PmuAccess _access;
    private readonly HostPerfCpu _perf;
    private readonly MediatedVpmu _pmu;
    private readonly MediatedVcpu _vcpu;
    private readonly List<HostCountingEvent> _hostEvents = new();
    private ulong _hostWorkCycles;

    public MediatedBackend(PmuCaps host, SwitchPlacement placement, MediatedCostTable costs)
    {
        _cpu = new RegisterFilePmu(host);
        _access = new PmuAccess(_cpu);
        Guest = MediatedPmuSupport.DeriveGuest(host, host, mediated: true);
        var intercepts = new MediatedIntercepts(Guest, host, mediated: true, vmwareBackdoor: false);
        _perf = new HostPerfCpu(_access);
        _pmu = new MediatedVpmu(Guest, _access, _perf, intercepts);
        _vcpu = new MediatedVcpu(_pmu, _cpu, _perf, placement, costs);
        Design = "mediated " + PlacementComparison.PlacementName(placement);
        _pmu.WriteGuestLvtpc(LvtpcValues.DeliveryNmi); // a Linux guest's perf uses NMI delivery, unmasked
    }

    public string Design { get; }
    public PmuCaps Guest { get; }
    public long GuestPmisInjected => _pmu.PmisInjected;

    private uint CounterAddress(int i) => Guest.IsIntel ? Ia32APmc.AddressOf(i) : MsrF15hPerfCtr.AddressOf(i);

    public void OpenHostEvents(int count)
    {
        for (int i = 0; i < count; i++)
        {
            var ev = _perf.Open("host" + i, PmuEventSelect.Events.Instructions);
            _vcpu.EnableHostEvent(ev, HostEnablePoint.Outside);
            _hostEvents.Add(ev);
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
        _vcpu.RunGuest(cycles: instructions, instructions: instructions);
        if (_pmu.PmiRequested)
        {
            _vcpu.Entry();
        }
    }

    public void GuestPmiHandler(ulong counterMask, ulong rearmValue)
    {
        bool intel = Guest.IsIntel;
        _vcpu.GuestRdmsr(intel ? Ia32PerfGlobalStatus.Address : MsrAmd64PerfCntrGlobalStatus.Address, out ulong status);
        _vcpu.GuestWrmsr(intel ? Ia32PerfGlobalOvfCtrl.Address : MsrAmd64PerfCntrGlobalStatusClr.Address, status);
        for (int i = 0; i < Guest.GpCounters; i++)
        {
            if ((counterMask & (1UL << i)) != 0)
            {
                _vcpu.GuestWrmsr(CounterAddress(i), rearmValue);
            }
        }
        // Unmasking LVTPC is an APIC write that exits (not a fastpath one).
        _pmu.WriteGuestLvtpc(_pmu.GuestLvtpc & ~LvtpcValues.Masked);
        _vcpu.GuestExits(1, ExitKind.Slow);
    }

    public void Exits(ulong fastpath, ulong slow)
    {
        _vcpu.GuestExits(fastpath, ExitKind.Fastpath);
        _vcpu.GuestExits(slow, ExitKind.Slow);
    }

    public void HostRun(ulong instructions)
    {
        // Host work inside KVM_RUN (halt-polling, interrupt handlers, a kernel thread on the CPU):
        // the vCPU stays in its run loop, so placements that keep guest state loaded blind host perf.
        _vcpu.GuestExits(1, ExitKind.ExternalInterrupt);
        _hostWorkCycles += instructions;
        _vcpu.RunHostInsideKvm(cycles: instructions, instructions: instructions);
    }

    public ulong GuestReadCounter(int counter)
    {
        _vcpu.GuestRdmsr(CounterAddress(counter), out ulong value);
        return value;
    }

    public ulong HostEventCount(int index) => _perf.Read(_hostEvents[index]);

    public DesignMeasures Measures() => new(
        _vcpu.Exits, _pmu.Loads + _pmu.Puts, _access.Counts, _vcpu.Cycles - _vcpu.GuestCycles - _hostWorkCycles, _vcpu.GuestCycles, _vcpu.HostBlindCycles, _hostWorkCycles);
}
