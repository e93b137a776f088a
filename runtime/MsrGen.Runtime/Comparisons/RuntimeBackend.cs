using System.Collections.Generic;
using MsrGen.Registers;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.HostPerf;
using MsrGen.Runtime.Kvm;
using MsrGen.Runtime.Mediated;
using MsrGen.Runtime.Metrics;
using MsrGen.Runtime.Traces;

namespace MsrGen.Runtime.Comparisons;

/// <summary>
/// A design of the comparison as the runtime implements it: a one-vCPU VM of some vPMU mode on the
/// shared substrate (<see cref="RuntimeSubstrate"/>), driven by the workload through the guest's MSR
/// accesses. The guest side, the host perf events and the measures are the same for every design; a
/// design says how the vCPU leaves the guest for host work and which physical operations it reports.
/// </summary>
internal abstract class RuntimeBackend : IComparisonBackend
{
    private readonly Cost.CostTable _costs;
    private readonly List<PerfEvent> _hostEvents = new();
    private readonly EventBatch _batch = new();
    private ulong _guestCycles;
    private ulong _hostWorkCycles;

    protected RuntimeBackend(PmuCaps host, VpmuMode mode, IReadOnlyDictionary<string, string> options, Cost.CostTable costs)
    {
        Vm = RuntimeSubstrate.CreateVm(host, mode, options, costs);
        Vcpu = Vm.Vcpus[0];
        _costs = costs;
        Guest = Vcpu.GuestCaps;
        Vcpu.Lvtpc = LvtpcValues.DeliveryNmi; // a Linux guest's perf uses NMI delivery, unmasked
    }

    public abstract string Design { get; }
    public PmuCaps Guest { get; }
    public long GuestPmisInjected => Vm.Metrics.Pmis;

    protected Vm Vm { get; }
    protected Vcpu Vcpu { get; }

    private uint CounterAddress(int i) => Guest.IsIntel ? Ia32APmc.AddressOf(i) : MsrF15hPerfCtr.AddressOf(i);

    public void OpenHostEvents(int count)
    {
        var perf = Vcpu.Cpu.Perf;
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
        Vcpu.GuestWrmsr(CounterAddress(counter), startValue);
        uint select = Guest.IsIntel ? Ia32Perfevtsel.AddressOf(counter) : MsrF15hPerfCtl.AddressOf(counter);
        Vcpu.GuestWrmsr(select, PmuEventSelect.Counting(PmuEventSelect.Events.Instructions, interrupt));
    }

    public void GuestGlobalEnable(ulong mask) =>
        Vcpu.GuestWrmsr(Guest.IsIntel ? Ia32PerfGlobalCtrl.Address : MsrAmd64PerfCntrGlobalCtl.Address, mask);

    public void GuestRun(ulong instructions)
    {
        _guestCycles += instructions;
        Vcpu.GuestRun(_batch.Clear().Add(PmuEventSelect.Events.Instructions, instructions).WithCycles(instructions));
    }

    public void GuestPmiHandler(ulong counterMask, ulong rearmValue)
    {
        bool intel = Guest.IsIntel;
        ulong status = Vcpu.GuestRdmsr(intel ? Ia32PerfGlobalStatus.Address : MsrAmd64PerfCntrGlobalStatus.Address).Value;
        Vcpu.GuestWrmsr(intel ? Ia32PerfGlobalOvfCtrl.Address : MsrAmd64PerfCntrGlobalStatusClr.Address, status);
        for (int i = 0; i < Guest.GpCounters; i++)
        {
            if ((counterMask & (1UL << i)) != 0)
            {
                Vcpu.GuestWrmsr(CounterAddress(i), rearmValue);
            }
        }

        // Unmasking LVTPC is an APIC write that exits (not a fastpath one).
        Vcpu.Lvtpc &= ~LvtpcValues.Masked;
        Vcpu.GuestExits(fastpath: 0, slow: 1);
    }

    public void Exits(ulong fastpath, ulong slow) => Vcpu.GuestExits(fastpath, slow);

    public void HostRun(ulong instructions)
    {
        LeaveGuestForHostWork(instructions);
        _hostWorkCycles += instructions;
        Vcpu.Cpu.Perf.RunHost(_batch.Clear().Add(PmuEventSelect.Events.Instructions, instructions).WithCycles(instructions), cpl: 0);
    }

    public ulong GuestReadCounter(int counter) => Vcpu.GuestRdmsr(CounterAddress(counter)).Value;

    public ulong HostEventCount(int index) => index < _hostEvents.Count ? Vcpu.Cpu.Perf.Read(_hostEvents[index]) : 0;

    public DesignMeasures Measures()
    {
        var m = Vm.Metrics;
        // Host cycles are the VM's own cost, each primitive priced once when it happened: a design's figure here and a scenario's `cost` are one number.
        return new DesignMeasures(m.Exits, Switches, RuntimeSubstrate.Ops(m), m.Cost, _guestCycles, HostBlindCycles, _hostWorkCycles);
    }

    /// <summary>How the vCPU gets out of the guest before <paramref name="instructions"/> of host work run on its CPU.</summary>
    protected abstract void LeaveGuestForHostWork(ulong instructions);

    /// <summary>PMU state switches between host and guest (none for a design that never loads guest state).</summary>
    protected virtual long Switches => 0;

    /// <summary>Host work cycles run while host perf's exclude_guest events were off the PMU.</summary>
    protected virtual ulong HostBlindCycles => 0;
}
