using System;
using MsrGen.Registers;

namespace MsrGen.Runtime.Mediated;

/// <summary>
/// One vCPU with a mediated PMU on one physical CPU: drives the world switch at the points its
/// placement names, routes PMIs, takes the guest's passed-through and intercepted PMU accesses,
/// and keeps the measures the placement comparison reports. Time is modeled in cycles.
/// </summary>
public sealed partial class MediatedVcpu : IHostPmuClient
{
    private readonly RegisterFilePmu _cpu;
    private bool _inKvmRun;
    private bool _reloadPending;
    private bool _pmiLine;

    public MediatedVcpu(MediatedVpmu pmu, RegisterFilePmu cpu, HostPerfCpu perf, SwitchPlacement placement, Cost.CostTable? costs = null)
    {
        Pmu = pmu;
        _cpu = cpu;
        Perf = perf;
        Placement = placement;
        Costs = costs ?? new Cost.CostTable();
        perf.Kvm = this;
        perf.OwnedByGuest = placement == SwitchPlacement.Owned;
        cpu.PmiRaised = _ => _pmiLine = true;
    }

    public MediatedVpmu Pmu { get; }
    public HostPerfCpu Perf { get; }
    public SwitchPlacement Placement { get; }
    public Cost.CostTable Costs { get; }
    public VcpuLocation Location { get; private set; } = VcpuLocation.Outside;

    /// <summary>The guest's current privilege level is 0 (emulated instructions count for OS-enabled counters).</summary>
    public bool GuestKernelMode { get; set; } = true;

    public ulong Cycles { get; private set; }
    public ulong GuestCycles { get; private set; }
    /// <summary>Host cycles during which host exclude_guest events could not count (guest context loaded, or owned).</summary>
    public ulong HostBlindCycles { get; private set; }
    /// <summary>Host cycles spent handling exits and switching (base exit cost plus physical PMU operations).</summary>
    public ulong ExitHandlingCycles { get; private set; }
    public long Exits { get; private set; }
    public long FastpathExits { get; private set; }
    public long FastpathBailouts { get; private set; }
    /// <summary>Guest instructions KVM completed by emulation (each one counted by instruction counters).</summary>
    public long EmulatedInstructions { get; private set; }
    public long GuestDirectAccesses { get; private set; }
    public long HostPmis { get; private set; }

    public bool HoldsGuestState => Pmu.Loaded || Pmu.AnyResident;

    // ---- the vCPU task's life cycle ---------------------------------------------------------------

    /// <summary>KVM_RUN begins (vcpu_load).</summary>
    public void EnterRun()
    {
        if (Location == VcpuLocation.ScheduledOut)
        {
            SchedIn();
        }

        if (Location == VcpuLocation.Outside)
        {
            _inKvmRun = true;
            Location = VcpuLocation.RunLoop;
        }
    }

    /// <summary>VM-entry: loads the PMU first when the placement says so, delivers a pending PMI.</summary>
    public void Entry()
    {
        EnterRun();
        if (Location == VcpuLocation.GuestMode)
        {
            return;
        }

        var before = Pmu.Hardware.Counts;
        if (!Pmu.Loaded || _reloadPending)
        {
            if (Placement == SwitchPlacement.DirtyOnly)
            {
                Pmu.LoadLazy();
            }
            else
            {
                Pmu.Load();
            }

            _reloadPending = false;
        }

        ulong pmiCost = Pmu.DeliverPendingPmi() ? Costs[Cost.CostTable.HostPmi] + Costs[Cost.CostTable.PmiInjection] : 0;
        Pmu.OnVmEntry();
        ChargeHost((Pmu.Hardware.Counts - before).Cycles(Costs) + pmiCost);
        Location = VcpuLocation.GuestMode;
    }

    /// <summary>A VM-exit and its handling, with the put the placement asks for.</summary>
    public void Exit(ExitKind kind) => ExitCore(kind, retireInstruction: kind != ExitKind.ExternalInterrupt);

    private void ExitCore(ExitKind kind, bool retireInstruction)
    {
        if (Location != VcpuLocation.GuestMode)
        {
            throw new InvalidOperationException("a VM-exit needs the vCPU in guest mode");
        }

        var before = Pmu.Hardware.Counts;
        Pmu.OnVmExit();
        Exits++;
        Location = VcpuLocation.RunLoop;
        if (kind == ExitKind.Fastpath && !Pmu.FastpathEmulationAllowed())
        {
            FastpathBailouts++;
            kind = ExitKind.Slow;
        }

        ulong baseCost = Costs[kind == ExitKind.Fastpath ? Cost.CostTable.VmExitFastpath : Cost.CostTable.VmExit];
        if (kind == ExitKind.Fastpath)
        {
            FastpathExits++;
        }

        bool leavesInnerLoop = kind != ExitKind.Fastpath;
        if (Placement == SwitchPlacement.Exit || (leavesInnerLoop && Placement is SwitchPlacement.RunLoop or SwitchPlacement.DirtyOnly))
        {
            PutForPlacement();
        }

        if (retireInstruction)
        {
            EmulatedInstructions++;
            Pmu.RetireEmulatedInstruction(GuestKernelMode);
        }

        ulong cost = baseCost + (Pmu.Hardware.Counts - before).Cycles(Costs);
        ExitHandlingCycles += cost;
        ChargeHost(cost);
    }

    /// <summary>KVM_RUN returns to userspace.</summary>
    public void ReturnToUserspace()
    {
        if (Location == VcpuLocation.GuestMode)
        {
            Exit(ExitKind.Slow);
        }

        if (Pmu.Loaded && Placement != SwitchPlacement.Owned)
        {
            ChargeSwitch(PutForPlacement);
        }

        _inKvmRun = false;
        Location = VcpuLocation.Outside;
    }

    public void SchedOut()
    {
        if (Location == VcpuLocation.GuestMode)
        {
            Exit(ExitKind.ExternalInterrupt);
        }

        if (Pmu.Loaded && Placement != SwitchPlacement.Owned)
        {
            ChargeSwitch(PutForPlacement);
        }

        Location = VcpuLocation.ScheduledOut;
    }

    public void SchedIn()
    {
        if (Location == VcpuLocation.ScheduledOut)
        {
            Location = _inKvmRun ? VcpuLocation.RunLoop : VcpuLocation.Outside;
        }
    }

    /// <summary>VM teardown: whatever the placement, the guest's state leaves the hardware.</summary>
    public void Destroy()
    {
        if (Location == VcpuLocation.GuestMode)
        {
            Exit(ExitKind.Slow);
        }

        Perf.OwnedByGuest = false;
        if (Pmu.Loaded)
        {
            ChargeSwitch(Pmu.Put);
        }

        if (Pmu.AnyResident)
        {
            ChargeSwitch(() => Pmu.ReclaimForHost(ulong.MaxValue));
        }

        _inKvmRun = false;
        Location = VcpuLocation.Outside;
    }

    private void PutForPlacement()
    {
        if (!Pmu.Loaded)
        {
            return;
        }

        if (Placement == SwitchPlacement.DirtyOnly)
        {
            Pmu.PutLazy();
        }
        else
        {
            Pmu.Put();
        }
    }

    // ---- the perf -> KVM callback ---------------------------------------------------------------

    /// <summary>
    /// perf is about to program the GP counters in <paramref name="gpMask"/>: with guest context
    /// loaded, put it now and load again before the next entry; with only resident leftovers
    /// (dirty-only), hand over just those counters.
    /// </summary>
    public void ReleaseForHost(ulong gpMask)
    {
        if (Pmu.Loaded)
        {
            PutForPlacement();
            _reloadPending = true;
        }

        if (Pmu.AnyResident)
        {
            Pmu.ReclaimForHost(gpMask);
        }
    }

    /// <summary>
    /// Host perf enables an event while the vCPU task is at <paramref name="where"/> (Dapeng Mi, "Re: [RFC PATCH 23/41] KVM: x86/pmu: Implement the save/restore of PMU state for Intel CPU", LKML, 2024-04-25).
    /// In guest mode the enabling IPI forces an exit first; in the run loop, placements that keep
    /// state loaded only with interrupts off leave the inner loop before the IPI handler runs.
    /// </summary>
    public void EnableHostEvent(HostCountingEvent ev, HostEnablePoint where)
    {
        switch (where)
        {
            case HostEnablePoint.GuestMode:
                Entry();
                Exit(ExitKind.ExternalInterrupt);
                break;
            case HostEnablePoint.RunLoop:
                if (Location != VcpuLocation.GuestMode)
                {
                    Entry();
                }

                Exit(ExitKind.Fastpath);
                if (Placement is SwitchPlacement.Exit or SwitchPlacement.RunLoop or SwitchPlacement.DirtyOnly && Pmu.Loaded)
                {
                    ChargeSwitch(PutForPlacement);
                }

                break;
            default:
                if (Location is VcpuLocation.GuestMode or VcpuLocation.RunLoop)
                {
                    ReturnToUserspace();
                }

                break;
        }

        var before = Pmu.Hardware.Counts;
        Perf.Enable(ev);
        ChargeHost((Pmu.Hardware.Counts - before).Cycles(Costs));
    }

    private void ChargeSwitch(Action action)
    {
        var before = Pmu.Hardware.Counts;
        action();
        ChargeHost((Pmu.Hardware.Counts - before).Cycles(Costs));
    }

    private void ChargeHost(ulong cycles)
    {
        Cycles += cycles;
        if (Perf.GuestContextLoaded || Perf.OwnedByGuest)
        {
            HostBlindCycles += cycles;
        }

        Perf.Tick(cycles);
    }
}
