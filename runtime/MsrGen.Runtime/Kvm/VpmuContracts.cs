using MsrGen.Registers;

namespace MsrGen.Runtime.Kvm;

/// <summary>How a VM-exit was handled: in KVM's fastpath (inner run loop) or through the full exit path.</summary>
public enum VmExitKind : byte
{
    Fastpath = 0,
    Slow = 1,
}

/// <summary>Why the guest exited, as the metrics count them.</summary>
public enum ExitReason : byte
{
    MsrRead = 0,
    MsrWrite,
    Rdpmc,
    /// <summary>A host NMI (host perf PMI while the guest ran).</summary>
    Nmi,
    /// <summary>An external interrupt (the mediated PMI vector, timers, IPIs).</summary>
    ExternalInterrupt,
    /// <summary>Exits with no PMU work that a scenario asks for (timer, IPI, HLT, ...).</summary>
    Other,
}

/// <summary>Events that KVM's emulator retires on the guest's behalf (kvm_pmu_instruction/branch_retired).</summary>
public enum EmulatedEvent : byte
{
    Instruction = 0,
    Branch = 1,
}

/// <summary>
/// The vPMU of one vCPU: one implementation per design (legacy perf-emulated, mediated). The vCPU
/// (<see cref="Vcpu"/>) owns everything KVM does generically (the VM-exit pipeline, intercept
/// tables, RDPMC privilege checks, PMI injection through the guest LVTPC, the P6/K7 special
/// cases) and calls these hooks; the vPMU owns the PMU state and how it reaches the hardware.
/// </summary>
public interface IVpmu
{
    VpmuMode Mode { get; }

    /// <summary>kvm_pmu_is_valid_msr: whether this MSR is a PMU MSR of this vCPU.</summary>
    bool IsValidMsr(MsrRef register, bool hostInitiated);

    /// <summary>kvm_pmu_get_msr for a valid MSR (Ok or GeneralProtection, which becomes a #GP or a failed ioctl).</summary>
    MsrAccessResult GetMsr(MsrRef register, out ulong value);

    /// <summary>kvm_pmu_set_msr for a valid MSR.</summary>
    MsrAccessResult SetMsr(MsrRef register, ulong value, bool hostInitiated);

    /// <summary>Whether guest RDPMC exits (VMX RDPMC exiting / SVM INTERCEPT_RDPMC).</summary>
    bool InterceptsRdpmc { get; }

    /// <summary>
    /// kvm_pmu_rdpmc after the generic checks (PMU present, VMware pseudo-PMCs, CR4.PCE/CPL);
    /// also used for RDPMC without exiting, where it reads what the hardware holds.
    /// </summary>
    MsrAccessResult Rdpmc(uint ecx, out ulong value);

    /// <summary>A guest RDMSR/WRMSR that the intercept table let through to the hardware.</summary>
    MsrAccessResult PassthroughRead(MsrRef register, out ulong value);

    MsrAccessResult PassthroughWrite(MsrRef register, ulong value);

    /// <summary>
    /// KVM retired an instruction or branch for the guest (kvm_pmu_instruction_retired() /
    /// kvm_pmu_branch_retired() of arch/x86/kvm/pmu.c). Returns whether kvm_pmu_trigger_event()
    /// had counters to walk: some counter enabled locally and, with GLOBAL_CTRL, globally selects
    /// the event (its emulation bitmap, kvm_pmu_recalc_pmc_emulation(), intersected with
    /// GLOBAL_CTRL). The walk then checks the event filter and the CPL per counter, so it can
    /// find nothing to count; with an empty intersection it returns at once.
    /// </summary>
    bool OnEmulatedEvent(EmulatedEvent kind);

    /// <summary>The guest is about to retire a stretch natively (legacy: nothing to do; mediated: counters are live).</summary>
    void BeforeGuestRun(Hardware.EventBatch batch, int cpl);

    void AfterGuestRun(Hardware.EventBatch batch, int cpl);

    /// <summary>KVM_REQ_PMU was raised: kvm_pmu_handle_event before the next VM-entry.</summary>
    void HandlePmuRequest();

    /// <summary>vcpu_enter_guest, before the inner run loop (where the mediated PMU loads).</summary>
    void BeforeRunLoop();

    /// <summary>Right before each VM-entry, fastpath re-entries included.</summary>
    void BeforeVmEntry();

    /// <summary>
    /// The GLOBAL_CTRL value the CPU loads at VM-entry (VMCS / MSR-load list); null lets host
    /// perf's atomic switch decide (perf_guest_get_msrs).
    /// </summary>
    ulong? EntryGlobalCtrl();

    /// <summary>Right after each VM-exit.</summary>
    void AfterVmExit(VmExitKind kind);

    /// <summary>After the inner run loop, before handling a slow exit (where the mediated PMU puts).</summary>
    void AfterRunLoop();

    /// <summary>The vCPU task is scheduled in (kvm_arch_sched_in → need_cleanup) / out.</summary>
    void SchedIn();

    void SchedOut();

    /// <summary>KVM_RUN returns to userspace.</summary>
    void ReturnToUserspace();

    /// <summary>
    /// Whether kvm_pmu_refresh() may run now for an accepted PERF_CAPABILITIES change; a design
    /// that reads the vCPU's capabilities live (perf-emulated, none) always may.
    /// </summary>
    bool CanRefresh => true;

    /// <summary>kvm_pmu_refresh() after <see cref="Vcpu.GuestCaps"/> took the new PERF_CAPABILITIES.</summary>
    void Refresh()
    {
    }

    /// <summary>The first KVM_RUN (PERF_CAPABILITIES and CPUID become immutable).</summary>
    void OnFirstRun();

    /// <summary>The VM's event filter changed (KVM_SET_PMU_EVENT_FILTER: all counters are reprogrammed).</summary>
    void OnEventFilterChanged();

    /// <summary>An interrupt was injected through the guest's LVTPC (Intel: FREEZE_LBRS_ON_PMI emulation).</summary>
    void OnPmiDelivered();

    /// <summary>The vCPU is destroyed: release every host resource.</summary>
    void Destroy();
}

/// <summary>
/// Creates the vPMU of one design. Implementations are found by reflection in this assembly
/// (<see cref="VpmuRegistry"/>), so a design lives entirely in its own folder.
/// </summary>
public interface IVpmuFactory
{
    VpmuMode Mode { get; }

    /// <summary>What KVM reports as supported for this design on this host (kvm_pmu_cap, supported PERF_CAPABILITIES).</summary>
    KvmPmuCapabilities Supported(HostMachine host, VmRequest request);

    /// <summary>Refuses a VM this design cannot run on this host (a message), or null.</summary>
    string? Validate(HostMachine host, VmConfig config);

    /// <summary>The vPMU of one vCPU; <see cref="HostPerf.PerfError.Ebusy"/> and friends refuse the vCPU.</summary>
    HostPerf.PerfError TryCreate(Vcpu vcpu, out IVpmu? vpmu);
}
