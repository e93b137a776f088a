using System.Collections.Generic;
using MsrGen.Registers;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.HostPerf;
using MsrGen.Runtime.Kvm;

namespace MsrGen.Runtime.Mediated.Comparison;

/// <summary>
/// The legacy perf-emulated vPMU, as the runtime implements it, driven by the same workload. Host
/// cycles come from the VM's metrics as for every design (<see cref="RuntimeSubstrate.HostCycles"/>).
/// </summary>
internal sealed class LegacyBackend : IComparisonBackend
{
    private readonly Vm _vm;
    private readonly Vcpu _vcpu;
    private readonly MediatedCostTable _costs;
    private readonly List<PerfEvent> _hostEvents = new();
    private readonly EventBatch _batch = new();
    private ulong _guestCycles;
    private ulong _hostWorkCycles;

    public LegacyBackend(PmuCaps host, MediatedCostTable costs)
    {
        _vm = RuntimeSubstrate.CreateVm(host, VpmuMode.Emulated, new Dictionary<string, string>());
        _vcpu = _vm.Vcpus[0];
        _costs = costs;
        Guest = _vcpu.GuestCaps;
        _vcpu.Lvtpc = LvtpcValues.DeliveryNmi; // a Linux guest's perf uses NMI delivery, unmasked
    }

    public string Design => "legacy (perf-emulated)";
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
        _vcpu.Lvtpc &= ~LvtpcValues.Masked;
        _vcpu.GuestExits(fastpath: 0, slow: 1);
    }

    public void Exits(ulong fastpath, ulong slow) => _vcpu.GuestExits(fastpath, slow);

    public void HostRun(ulong instructions)
    {
        _vcpu.Idle(0);
        _hostWorkCycles += instructions;
        _vcpu.Cpu.Perf.RunHost(_batch.Clear().Add(PmuEventSelect.Events.Instructions, instructions).WithCycles(instructions), cpl: 0);
    }

    public ulong GuestReadCounter(int counter) => _vcpu.GuestRdmsr(CounterAddress(counter)).Value;

    public ulong HostEventCount(int index) => index < _hostEvents.Count ? _vcpu.Cpu.Perf.Read(_hostEvents[index]) : 0;

    public DesignMeasures Measures()
    {
        var m = _vm.Metrics;
        var ops = RuntimeSubstrate.Ops(m);
        return new DesignMeasures(m.Exits, 0, ops, RuntimeSubstrate.HostCycles(m, ops, _costs), _guestCycles, 0, _hostWorkCycles);
    }
}
