using System;
using MsrGen.Registers;
using MsrGen.Runtime.Cost;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.Metrics;

namespace MsrGen.Runtime.Kvm;

/// <summary>
/// One vCPU and what KVM does for it generically: the VM-exit pipeline (intercept check through
/// the generated VMX bitmap / SVM permission map, exit counting, dispatch, #GP injection), the
/// run loop with its KVM_REQ_PMU / KVM_REQ_PMI requests, PMI injection through the guest's
/// LVTPC, and scheduling. The PMU itself is the <see cref="IVpmu"/> of the VM's design.
/// </summary>
public sealed partial class Vcpu
{
    private VmxMsrBitmap? _vmxBitmap;
    private SvmMsrPermissionMap? _svmMap;
    private readonly EventBatch _single = new();
    // The VM's metrics and the host's cost table never change: kept here, the exit path reaches them in one load.
    private readonly VmMetrics _metrics;
    private readonly CostTable _costs;

    internal Vcpu(Vm vm, int index, PhysicalCpu cpu)
    {
        Vm = vm;
        Index = index;
        Cpu = cpu;
        GuestCaps = vm.Config.GuestCaps;
        InKernelApic = vm.Config.Option("irqchip") != "off";
        Pmu = NoVpmu.Instance;
        _metrics = vm.Metrics;
        _costs = vm.Host.Costs;
    }

    public Vm Vm { get; }
    public int Index { get; }
    public PhysicalCpu Cpu { get; }
    public IVpmu Pmu { get; private set; }
    public IGuestLbrModel? Lbr { get; private set; }
    /// <summary>The guest PMU as KVM derived it; host writes of PERF_CAPABILITIES change it (kvm_pmu_refresh).</summary>
    public PmuCaps GuestCaps { get => _guestCaps; set => _guestCaps = value; }

    /// <summary><see cref="GuestCaps"/> by reference, for the per-access checks of the vPMU designs (no copy of the struct).</summary>
    internal ref readonly PmuCaps GuestCapsRef => ref _guestCaps;

    private PmuCaps _guestCaps;
    public HostMachine Host => Vm.Host;
    public VmMetrics Metrics => _metrics;
    public CostTable Costs => _costs;

    public int Cpl { get; set; }
    public bool Cr4Pce { get; set; }

    /// <summary>The guest's local APIC LVTPC (vector, delivery mode, mask).</summary>
    public uint Lvtpc { get; set; } = LvtpcValues.ResetValue;

    /// <summary>Whether KVM emulates the local APIC in the kernel (irqchip=on); without it no PMI is injected.</summary>
    public bool InKernelApic { get; init; }

    /// <summary>The guest DEBUGCTL when no LBR model claims it.</summary>
    public ulong Debugctl { get; private set; }

    /// <summary>KVM_RUN has been called at least once (PERF_CAPABILITIES and CPUID are frozen).</summary>
    public bool HasRun { get; private set; }

    /// <summary>Between VM-entry and VM-exit.</summary>
    public bool InGuestMode { get; private set; }

    /// <summary>Inside vcpu_enter_guest's inner run loop (the mediated PMU context is loaded here).</summary>
    public bool InRunLoop { get; private set; }

    /// <summary>Inside KVM_RUN (as opposed to back in userspace).</summary>
    public bool InKvmRun { get; private set; }

    public bool ScheduledOut { get; private set; }

    public bool PmuRequestPending { get; private set; }
    public bool PmiPending { get; private set; }

    /// <summary>KVM_REQ_PMU: the vPMU reprograms before the next VM-entry.</summary>
    public void RequestPmuEvent() => PmuRequestPending = true;

    /// <summary>KVM_REQ_PMI: a PMI is injected through the LVTPC at the next VM-entry.</summary>
    public void RequestPmi() => PmiPending = true;

    internal void Attach(IVpmu pmu, IGuestLbrModel? lbr)
    {
        Pmu = pmu;
        Lbr = lbr;
        RebuildIntercepts();
    }

    /// <summary>Rebuilds the MSR intercept table from the generated catalog for the VM's mode.</summary>
    public void RebuildIntercepts()
    {
        var guest = GuestCaps;
        var host = Host.Caps;
        if (host.IsIntel)
        {
            _vmxBitmap = MsrCatalog.BuildVmxBitmap(Vm.Mode, guest, host, Vm.Profile);
        }
        else
        {
            _svmMap = MsrCatalog.BuildSvmPermissionMap(Vm.Mode, guest, host, Vm.Profile);
        }
    }

    /// <summary>Changes one MSR's exit policy (LBR pass-through, a design's own recalculation).</summary>
    public void SetIntercept(uint address, MsrIntercept intercept)
    {
        _vmxBitmap?.Set(address, intercept);
        _svmMap?.Set(address, intercept);
    }

    public bool Intercepts(uint address, bool write) =>
        _vmxBitmap?.Intercepts(address, write) ?? _svmMap?.Intercepts(address, write) ?? true;

    /// <summary>Counts host accesses for this VM and charges them to its cost while the scope lives.</summary>
    internal AttributionScope Attribute() => new(this);

    /// <summary>VM-exit: the CPU restores the host GLOBAL_CTRL; the vPMU (and LBR model) see the exit.</summary>
    internal void VmExit(ExitReason reason, VmExitKind kind)
    {
        if (!InGuestMode)
        {
            return;
        }

        Cpu.Pmu.ExitGuest(Cpu.Perf.HostGlobalCtrl());
        Cpu.RunningVcpu = null;
        InGuestMode = false;
        Metrics.CountExit(reason, kind);
        Metrics.AddCost(Costs, kind == VmExitKind.Fastpath ? CostTable.VmExitFastpath : CostTable.VmExit);
        Pmu.AfterVmExit(kind);
        Lbr?.AfterVmExit(kind);
        if (kind == VmExitKind.Slow)
        {
            LeaveRunLoop();
        }
    }

    /// <summary>VM-entry through vcpu_enter_guest: requests first, then the run loop, then the entry.</summary>
    internal void VmEnter()
    {
        if (InGuestMode)
        {
            return;
        }

        if (!HasRun)
        {
            HasRun = true;
            Pmu.OnFirstRun();
        }

        InKvmRun = true;
        if (InRunLoop && (PmuRequestPending || PmiPending))
        {
            // kvm_vcpu_exit_request(): a pending request ends the fastpath loop.
            LeaveRunLoop();
        }

        StartRunLoop();
        Pmu.BeforeVmEntry();
        Lbr?.BeforeVmEntry();
        Cpu.Pmu.EnterGuest(Pmu.EntryGlobalCtrl() ?? Cpu.Perf.GuestGlobalCtrl());
        Cpu.RunningVcpu = this;
        InGuestMode = true;
        Metrics.CountEntry();
    }

    /// <summary>vcpu_enter_guest up to the VM-entry: requests, then the run loop's PMU load.</summary>
    private void StartRunLoop()
    {
        if (!InRunLoop)
        {
            ProcessRequests();
            Pmu.BeforeRunLoop();
            InRunLoop = true;
        }
    }

    private void LeaveRunLoop()
    {
        if (InRunLoop)
        {
            InRunLoop = false;
            Pmu.AfterRunLoop();
        }
    }

    private void ProcessRequests()
    {
        if (PmuRequestPending)
        {
            PmuRequestPending = false;
            Metrics.CountPmuRequest();
            Metrics.AddCost(Costs, CostTable.PmuRequest);
            Pmu.HandlePmuRequest();
        }

        if (PmiPending)
        {
            DeliverPmi();
        }
    }

    /// <summary>
    /// kvm_pmu_deliver_pmi: the vendor hook, then the LVTPC: delivered only if unmasked, after
    /// which Intel-compatible guests find it masked; the guest handler only acknowledges (EOI).
    /// </summary>
    private void DeliverPmi()
    {
        PmiPending = false;
        if (!InKernelApic)
        {
            return;
        }

        Pmu.OnPmiDelivered();
        Lbr?.OnPmiDelivered();
        if ((Lvtpc & LvtpcValues.Masked) != 0)
        {
            return;
        }

        Metrics.CountPmi();
        Metrics.AddCost(Costs, CostTable.PmiInjection);
        if (GuestCaps.IsIntel)
        {
            Lvtpc |= LvtpcValues.Masked;
        }
    }

    /// <summary>Scope that attributes physical accesses to this VM and charges their cost.</summary>
    internal readonly struct AttributionScope : IDisposable
    {
        private readonly Vcpu _vcpu;
        private readonly HardwareAccessCounters? _previous;
        private readonly long _reads, _writes, _rdpmcs, _lvtpcWrites;
        private readonly bool _outermost;

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public AttributionScope(Vcpu vcpu)
        {
            _vcpu = vcpu;
            _previous = vcpu.Cpu.Pmu.Attribution;
            var counters = vcpu._metrics.Hardware;
            _reads = counters.MsrReads;
            _writes = counters.MsrWrites;
            _rdpmcs = counters.Rdpmcs;
            _lvtpcWrites = counters.LvtpcWrites;
            _outermost = !ReferenceEquals(_previous, counters);
            vcpu.Cpu.Pmu.Attribution = counters;
        }

        public void Dispose()
        {
            if (_vcpu is null || !_outermost)
            {
                return;
            }

            // A world switch the vPMU deferred inside this operation is completed before it ends.
            _vcpu.Cpu.Pmu.SettlePendingMoves();
            var metrics = _vcpu._metrics;
            var counters = metrics.Hardware;
            var costs = _vcpu._costs;
            metrics.AddCost(costs, CostTable.Rdmsr, counters.MsrReads - _reads);
            metrics.AddCost(costs, CostTable.Wrmsr, counters.MsrWrites - _writes);
            metrics.AddCost(costs, CostTable.Rdpmc, counters.Rdpmcs - _rdpmcs);
            // An LVTPC write is an x2APIC WRMSR and costs one (docs/cost-model.md).
            metrics.AddCost(costs, CostTable.Wrmsr, counters.LvtpcWrites - _lvtpcWrites);
            _vcpu.Cpu.Pmu.Attribution = _previous;
        }
    }
}
