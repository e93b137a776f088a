using System.Collections.Generic;
using MsrGen.Registers;

namespace MsrGen.Runtime.Mediated;

/// <summary>What perf does when it must program the PMU while a guest's PMU state may be loaded (Dapeng Mi, "Re: [RFC PATCH 23/41] KVM: x86/pmu: Implement the save/restore of PMU state for Intel CPU", LKML, 2024-04-25).</summary>
public enum HostEventCallbackMode
{
    /// <summary>perf calls into KVM to put the guest state before it touches a PMU MSR (the answer proposed in that review).</summary>
    Callback,
    /// <summary>Linux 7.0 as merged: exclude_guest events are not scheduled in while guest context is loaded; they start at put.</summary>
    DeferUntilPut,
    /// <summary>Neither: perf programs its counter over the loaded guest state (what goes wrong without the callback).</summary>
    None,
}

/// <summary>KVM's side of the perf→KVM callback.</summary>
public interface IHostPmuClient
{
    /// <summary>Guest context is loaded or some guest register is still resident in hardware.</summary>
    bool HoldsGuestState { get; }

    /// <summary>Called by perf before programming the GP counters in <paramref name="gpMask"/>.</summary>
    void ReleaseForHost(ulong gpMask);
}

/// <summary>One host counting event that excludes the guest (the kind that coexists with mediated VMs).</summary>
public sealed class HostCountingEvent
{
    internal HostCountingEvent(string name, ulong eventIdentity, int counter)
    {
        Name = name;
        EventIdentity = eventIdentity;
        Counter = counter;
    }

    public string Name { get; }
    public ulong EventIdentity { get; }
    /// <summary>The GP counter perf gave the event (perf fills from the top), or -1 when none was free.</summary>
    public int Counter { get; }
    public bool Enabled { get; internal set; }
    public bool Active { get; internal set; }
    internal ulong Accumulated { get; set; }
    public ulong TimeEnabled { get; internal set; }
    public ulong TimeRunning { get; internal set; }
}

/// <summary>
/// Host perf on the vCPU's CPU, reduced to what the mediated world switch interacts with:
/// exclude_guest counting events on fixed GP counters, scheduled out for the whole time guest
/// context is loaded (their enabled time excludes it) and scheduled back in at put, and the three
/// ways of treating an enable that arrives while the guest's state is loaded.
/// </summary>
public sealed class HostPerfCpu : IGuestContextHost
{
    private readonly PmuAccess _hw;
    private readonly List<HostCountingEvent> _events = new();
    private ulong _hostGlobalCtrl;

    public HostPerfCpu(PmuAccess hardware, HostEventCallbackMode mode = HostEventCallbackMode.Callback)
    {
        _hw = hardware;
        Mode = mode;
    }

    public HostEventCallbackMode Mode { get; set; }

    /// <summary>KVM registers itself here (the perf→KVM callback proposed in the 2024 mediated-PMU review).</summary>
    public IHostPmuClient? Kvm { get; set; }

    /// <summary>perf's per-CPU <c>guest_ctx_loaded</c>.</summary>
    public bool GuestContextLoaded { get; private set; }

    /// <summary>The guest owns the PMU outright (the <c>owned</c> placement): host events never run here.</summary>
    public bool OwnedByGuest { get; set; }

    public long CallbacksIntoKvm { get; private set; }
    public IReadOnlyList<HostCountingEvent> Events => _events;

    public HostCountingEvent Open(string name, ulong eventIdentity)
    {
        int used = 0;
        foreach (var e in _events)
        {
            if (e.Counter >= 0)
            {
                used |= 1 << e.Counter;
            }
        }

        int counter = -1;
        for (int i = _hw.Hardware.Caps.GpCounters - 1; i >= 0; i--)
        {
            if ((used & (1 << i)) == 0)
            {
                counter = i;
                break;
            }
        }

        var ev = new HostCountingEvent(name, eventIdentity, counter);
        _events.Add(ev);
        return ev;
    }

    /// <summary>Enables an event (the IPI's <c>__perf_event_enable()</c> on this CPU).</summary>
    public void Enable(HostCountingEvent ev)
    {
        ev.Enabled = true;
        if (OwnedByGuest || ev.Counter < 0)
        {
            return;
        }

        bool guestState = GuestContextLoaded || (Kvm?.HoldsGuestState ?? false);
        if (guestState)
        {
            switch (Mode)
            {
                case HostEventCallbackMode.Callback:
                    CallbacksIntoKvm++;
                    Kvm?.ReleaseForHost(1UL << ev.Counter);
                    break;
                case HostEventCallbackMode.DeferUntilPut when GuestContextLoaded:
                    return;
                case HostEventCallbackMode.DeferUntilPut:
                    Kvm?.ReleaseForHost(1UL << ev.Counter);
                    break;
            }
        }

        if (!ev.Active && !(GuestContextLoaded && Mode != HostEventCallbackMode.None))
        {
            Program(ev);
            _hw.Wrmsr(GlobalCtrlAddress, _hostGlobalCtrl);
        }
    }

    public void Disable(HostCountingEvent ev)
    {
        if (ev.Active)
        {
            Stop(ev);
            _hw.Wrmsr(GlobalCtrlAddress, _hostGlobalCtrl);
        }

        ev.Enabled = false;
    }

    /// <summary>The event's count: what it accumulated plus what its counter shows now.</summary>
    public ulong Read(HostCountingEvent ev)
    {
        if (!ev.Active)
        {
            return ev.Accumulated;
        }

        _hw.Hardware.TryRdpmc((uint)ev.Counter, out ulong now);
        return ev.Accumulated + now;
    }

    public bool LoadGuestContext()
    {
        bool any = false;
        foreach (var ev in _events)
        {
            if (ev.Active)
            {
                Stop(ev);
                any = true;
            }
        }

        GuestContextLoaded = true;
        return any;
    }

    public void PutGuestContext()
    {
        GuestContextLoaded = false;
        if (OwnedByGuest)
        {
            return;
        }

        ulong wanted = 0;
        foreach (var ev in _events)
        {
            if (ev.Enabled && !ev.Active && ev.Counter >= 0)
            {
                wanted |= 1UL << ev.Counter;
            }
        }

        if (wanted == 0)
        {
            return;
        }

        if (Mode != HostEventCallbackMode.None && Kvm is { HoldsGuestState: true })
        {
            Kvm.ReleaseForHost(wanted);
        }

        foreach (var ev in _events)
        {
            if (ev.Enabled && !ev.Active && ev.Counter >= 0)
            {
                Program(ev);
            }
        }

        _hw.Wrmsr(GlobalCtrlAddress, _hostGlobalCtrl);
    }

    /// <summary>Time passes on this CPU; events accrue enabled/running time except while guest context is loaded.</summary>
    public void Tick(ulong cycles)
    {
        if (GuestContextLoaded || OwnedByGuest)
        {
            return;
        }

        foreach (var ev in _events)
        {
            if (ev.Enabled)
            {
                ev.TimeEnabled += cycles;
                if (ev.Active)
                {
                    ev.TimeRunning += cycles;
                }
            }
        }
    }

    /// <summary>Any enabled event that is not counting right now.</summary>
    public bool AnyEnabled()
    {
        foreach (var ev in _events)
        {
            if (ev.Enabled)
            {
                return true;
            }
        }

        return false;
    }

    private uint GlobalCtrlAddress => _hw.Hardware.Caps.IsIntel ? Ia32PerfGlobalCtrl.Address : MsrAmd64PerfCntrGlobalCtl.Address;

    private uint CounterAddress(int i) => _hw.Hardware.Caps.IsIntel ? Ia32APmc.AddressOf(i) : MsrF15hPerfCtr.AddressOf(i);

    private uint EventSelectAddress(int i) => _hw.Hardware.Caps.IsIntel ? Ia32Perfevtsel.AddressOf(i) : MsrF15hPerfCtl.AddressOf(i);

    private void Program(HostCountingEvent ev)
    {
        ulong sel = PmuEventSelect.Counting(ev.EventIdentity, interrupt: false);
        if (_hw.Hardware.Caps.IsAmd)
        {
            sel |= PmuEventSelect.AmdHostOnly;
        }

        _hw.Wrmsr(CounterAddress(ev.Counter), 0);
        _hw.Wrmsr(EventSelectAddress(ev.Counter), sel);
        _hostGlobalCtrl |= 1UL << ev.Counter;
        ev.Active = true;
    }

    private void Stop(HostCountingEvent ev)
    {
        ev.Accumulated += _hw.Rdpmc((uint)ev.Counter);
        _hw.Wrmsr(EventSelectAddress(ev.Counter), 0);
        _hostGlobalCtrl &= ~(1UL << ev.Counter);
        ev.Active = false;
    }
}
