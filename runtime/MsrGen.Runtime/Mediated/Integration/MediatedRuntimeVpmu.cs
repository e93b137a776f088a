using System;
using MsrGen.Registers;
using MsrGen.Runtime.Cost;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.HostPerf;
using MsrGen.Runtime.Kvm;

namespace MsrGen.Runtime.Mediated.Integration;

/// <summary>
/// <c>vpmu=mediated</c> for the runtime's vCPU: the runtime does what KVM does generically (exit
/// pipeline, intercept tables, RDPMC checks, PMI injection through the guest LVTPC) and calls
/// these hooks; <see cref="MediatedVpmu"/> holds the state and performs the world switch on the
/// runtime's physical PMU and host perf, at the points the VM's <c>placement</c> names.
/// </summary>
internal sealed partial class MediatedRuntimeVpmu : IVpmu, IGuestPmuOwner
{
    private readonly Vcpu _vcpu;
    private readonly MediatedVpmuVmState _vmState;
    private readonly PhysicalPmu _cpu;
    private bool _destroyed;

    public MediatedRuntimeVpmu(Vcpu vcpu, MediatedVpmuVmState vmState, SwitchPlacement placement, GuestPmuHandoff handoff)
    {
        _vcpu = vcpu;
        _vmState = vmState;
        _cpu = vcpu.Cpu.Pmu;
        Placement = placement;
        // The guest owns the PMU under `owned`: host perf has none to program, whatever the VM asks.
        Handoff = placement == SwitchPlacement.Owned ? GuestPmuHandoff.Defer : handoff;
        State = CreateState(vcpu);
        vcpu.Cpu.Perf.MediatedPmiHandler = OnMediatedPmi;
        if (placement == SwitchPlacement.Owned)
        {
            vcpu.Cpu.Perf.GuestPmuOwner = this;
            vcpu.Cpu.Perf.LoadGuestContext();
        }

        OnEventFilterChanged();
    }

    public MediatedVpmu State { get; private set; }

    private static MediatedVpmu CreateState(Vcpu vcpu)
    {
        var access = new PmuAccess(new PhysicalPmuBridge(vcpu.Cpu.Pmu, vcpu.Cpu.Perf));
        var intercepts = new MediatedIntercepts(vcpu.GuestCaps, vcpu.Host.Caps, mediated: true, vcpu.Host.Parameters.VmwareBackdoor, vcpu.Vm.Profile);
        return new MediatedVpmu(vcpu.GuestCaps, access, new HostPerfContextBridge(vcpu.Cpu.Perf), intercepts)
        {
            ReplayUnchangedSwitches = vcpu.Host.ReplaySwitches,
        };
    }

    /// <summary>kvm_pmu_refresh() rebuilds the register file: not while any of it is in the hardware.</summary>
    public bool CanRefresh => !State.Loaded && !State.AnyResident;

    /// <summary>kvm_pmu_refresh() after a PERF_CAPABILITIES change: the PMU is reset for the vCPU's new capabilities.</summary>
    public void Refresh()
    {
        State = CreateState(_vcpu);
        OnEventFilterChanged();
    }

    public SwitchPlacement Placement { get; }

    /// <summary>The VM's <c>host-callback=</c>: what host perf does when it needs the PMU while this vCPU's state is loaded.</summary>
    public GuestPmuHandoff Handoff { get; }

    public bool HoldsGuestState => State.Loaded || State.AnyResident;

    /// <summary>
    /// perf→KVM: with the guest context loaded (the callback), put it all now; the next VM-entry
    /// loads it again. With only lazily resident registers (dirty-only), hand back exactly the
    /// counters perf is about to program.
    /// </summary>
    public void ReleaseCounters(ulong counterMask)
    {
        using var scope = _vcpu.Attribute();
        if (State.Loaded)
        {
            _vcpu.Metrics.Add("mediated.perf-callbacks");
            Put();
        }
        else if (State.AnyResident)
        {
            _vcpu.Metrics.Add("mediated.host-reclaims");
            State.ReclaimForHost(counterMask);
            ReleaseOwnershipIfIdle();
        }
    }
    public VpmuMode Mode => VpmuMode.Mediated;
    public bool InterceptsRdpmc => State.Intercepts.RdpmcIntercepted;

    public bool IsValidMsr(MsrRef register, bool hostInitiated) => State.Pmu.IsValidMsr(register, hostInitiated);

    public MsrAccessResult GetMsr(MsrRef register, out ulong value) => State.Pmu.GetMsr(register, out value);

    public MsrAccessResult SetMsr(MsrRef register, ulong value, bool hostInitiated)
    {
        var result = State.Pmu.SetMsr(register, value, hostInitiated);
        ForwardPmiRequest();
        return result;
    }

    public MsrAccessResult Rdpmc(uint ecx, out ulong value)
    {
        if (!InterceptsRdpmc)
        {
            return _cpu.GuestRdpmc(ecx, out value);
        }

        return State.Pmu.Rdpmc(ecx, out value);
    }

    public MsrAccessResult PassthroughRead(MsrRef register, out ulong value) => _cpu.GuestReadMsr(register.Address, out value);

    public MsrAccessResult PassthroughWrite(MsrRef register, ulong value)
    {
        var result = _cpu.GuestWriteMsr(register.Address, value);
        if (result == MsrAccessResult.Ok && register.Id == MsrId.Ia32PerfGlobalCtrl)
        {
            State.ObserveGuestGlobalCtrl(value);
        }

        return result;
    }

    public bool OnEmulatedEvent(EmulatedEvent kind)
    {
        bool walked = kind == EmulatedEvent.Instruction
            ? State.RetireEmulatedInstruction(kernelMode: _vcpu.Cpl == 0)
            : State.RetireEmulatedBranch(kernelMode: _vcpu.Cpl == 0);
        ForwardPmiRequest();
        return walked;
    }

    /// <summary>
    /// The runtime changes the guest's LVTPC without an exit; KVM would have taken the APIC write
    /// and reloaded the host LVTPC from it, which is what this does before the guest runs on.
    /// </summary>
    public void BeforeGuestRun(EventBatch batch, int cpl) => SyncLvtpc();

    private void SyncLvtpc()
    {
        // The local APIC masks the loaded LVTPC when it delivers a PMI; a guest whose own LVTPC
        // does not show that (or a lazy load, which leaves a resident LVTPC alone) needs it rewritten.
        bool hardwareMaskStale = _vcpu.Cpu.Perf.GuestLvtpcLoaded && ((_cpu.Lvtpc ^ _vcpu.Lvtpc) & LvtpcValues.Masked) != 0;
        if (hardwareMaskStale || State.GuestLvtpc != _vcpu.Lvtpc)
        {
            State.WriteGuestLvtpc(_vcpu.Lvtpc);
        }
    }

    public void AfterGuestRun(EventBatch batch, int cpl)
    {
    }

    public void HandlePmuRequest() => OnEventFilterChanged();

    public void BeforeRunLoop()
    {
        if (Placement is SwitchPlacement.RunLoop or SwitchPlacement.DirtyOnly or SwitchPlacement.VcpuLoad or SwitchPlacement.Owned)
        {
            LoadIfNeeded();
        }
    }

    public void BeforeVmEntry()
    {
        LoadIfNeeded();
        SyncLvtpc();
    }

    public ulong? EntryGlobalCtrl() => State.IsIntel ? State.GuestGlobalCtrlForEntry : null;

    public void AfterVmExit(VmExitKind kind)
    {
        if (State.IsIntel && !State.Intercepts.GlobalCtrlIntercepted)
        {
            // The guest writes GLOBAL_CTRL directly, so after every VM-exit, fastpath ones included,
            // KVM reads the value the exit saved back from the VMCS guest field (vmx_vcpu_run(),
            // mediated vPMU series v6); the runtime already knows it, the read is only priced.
            _vcpu.Metrics.AddCost(_vcpu.Costs, CostTable.VmcsGlobalCtrl);
        }

        State.RefreshAmdGlobalCtlAfterExit();
        bool bailOut = kind == VmExitKind.Fastpath && !State.FastpathEmulationAllowed();
        if (Placement == SwitchPlacement.Exit || (bailOut && Placement is SwitchPlacement.RunLoop or SwitchPlacement.DirtyOnly))
        {
            Put();
        }

        if (bailOut)
        {
            // Mediated vPMU series v6, patch 28/44: the fastpath refuses, the exit takes the full path, and the instruction it
            // skips is counted there (the runtime's fastpath exits carry no emulated instruction
            // of their own; it only matters when a counter counts instructions, i.e. exactly here).
            _vcpu.RetireEmulated(EmulatedEvent.Instruction);
        }
    }

    public void AfterRunLoop()
    {
        if (Placement == SwitchPlacement.RunLoop && InOwnAttributionScope && State.TryDeferPut())
        {
            // The put's register moves wait for the load (or for the next access to this CPU's
            // PMU, or the end of the vCPU's operation): MediatedVpmu.Replay.cs.
            ReleaseOwnershipIfIdle();
            return;
        }

        if (Placement is SwitchPlacement.RunLoop or SwitchPlacement.DirtyOnly)
        {
            Put();
        }
    }

    /// <summary>
    /// Inside one of this vCPU's operations, whose end settles a deferred put (so its counts are
    /// this VM's and complete when the operation returns).
    /// </summary>
    private bool InOwnAttributionScope => ReferenceEquals(_cpu.Attribution, _vcpu.Metrics.Hardware);

    public void SchedIn()
    {
    }

    public void SchedOut()
    {
        if (Placement != SwitchPlacement.Owned)
        {
            Put();
        }
    }

    public void ReturnToUserspace()
    {
        if (Placement != SwitchPlacement.Owned)
        {
            Put();
        }
    }

    public void OnFirstRun()
    {
    }

    public void OnEventFilterChanged()
    {
        var filter = _vcpu.Vm.EventFilter;
        State.SetEventFilter(filter is null
            ? null
            : MediatedEventFilter.FromPredicates(sel => filter.AllowsGp(sel, State.Host.Vendor), filter.AllowsFixed));
    }

    public void OnPmiDelivered()
    {
    }

    public void Destroy()
    {
        if (_destroyed)
        {
            return;
        }

        _destroyed = true;
        if (State.Loaded)
        {
            State.Put();
        }

        if (State.AnyResident)
        {
            State.ReclaimForHost(ulong.MaxValue);
        }

        if (Placement == SwitchPlacement.Owned && _vcpu.Cpu.Perf.GuestContextLoaded)
        {
            _vcpu.Cpu.Perf.PutGuestContext();
        }

        if (_vcpu.Cpu.Perf.MediatedPmiHandler == (Action)OnMediatedPmi)
        {
            _vcpu.Cpu.Perf.MediatedPmiHandler = null;
        }

        ReleaseOwnershipIfIdle();

        _vmState.VcpuDestroyed();
    }

    private void LoadIfNeeded()
    {
        if (State.Loaded)
        {
            return;
        }

        _vcpu.Cpu.Perf.GuestPmuOwner = this;
        if (Placement == SwitchPlacement.DirtyOnly)
        {
            // The lazy load does not rewrite a resident LVTPC: the guest's current value goes to it now.
            SyncLvtpc();
            State.LoadLazy();
        }
        else
        {
            State.SyncGuestLvtpc(_vcpu.Lvtpc);
            State.Load();
        }
    }

    private void Put()
    {
        if (!State.Loaded)
        {
            return;
        }

        if (Placement == SwitchPlacement.DirtyOnly)
        {
            // Host perf schedules its events back in inside the put and, through this vPMU's
            // ReleaseCounters, takes back exactly the resident counters it programs.
            State.PutLazy();
        }
        else
        {
            State.Put();
        }

        ReleaseOwnershipIfIdle();
    }

    /// <summary>Nothing of the guest's is in this CPU's PMU any more: host perf has no one to call.</summary>
    private void ReleaseOwnershipIfIdle()
    {
        if (!HoldsGuestState && ReferenceEquals(_vcpu.Cpu.Perf.GuestPmuOwner, this))
        {
            _vcpu.Cpu.Perf.GuestPmuOwner = null;
        }
    }

    private void OnMediatedPmi()
    {
        State.HandleMediatedPmi();
        ForwardPmiRequest();
    }

    private void ForwardPmiRequest()
    {
        if (State.ConsumePmiRequest())
        {
            _vcpu.RequestPmi();
        }
    }
}

/// <summary>KVM's per-VM part of the mediated PMU: the accounting at the first vCPU, released with the last.</summary>
internal sealed class MediatedVpmuVmState
{
    private int _liveVcpus;

    public MediatedVpmuVmState(KvmMediatedVm kvm) => Kvm = kvm;

    public KvmMediatedVm Kvm { get; }

    public void VcpuCreated() => _liveVcpus++;

    public void VcpuDestroyed()
    {
        if (--_liveVcpus == 0)
        {
            Kvm.Destroy();
        }
    }
}
