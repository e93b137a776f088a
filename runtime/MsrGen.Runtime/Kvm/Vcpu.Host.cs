using MsrGen.Registers;

namespace MsrGen.Runtime.Kvm;

/// <summary>KVM's generic MSR dispatch (x86.c), host-initiated accesses and vCPU scheduling.</summary>
public sealed partial class Vcpu
{
    /// <summary>
    /// The one catalog lookup of an access that starts from a raw address, in this VM's profile;
    /// the result travels down to the vPMU unchanged.
    /// </summary>
    public ResolvedMsr ResolveMsr(uint address) =>
        MsrCatalog.TryFind(address, Vm.Profile, out var register) ? new ResolvedMsr(address, true, register) : new ResolvedMsr(address, false, default);

    /// <summary>KVM_GET_MSRS of a raw address.</summary>
    public HostAccess HostGetMsr(uint address) => HostGetMsr(ResolveMsr(address));

    /// <summary>KVM_GET_MSRS: the vCPU leaves KVM_RUN first; an MSR KVM refuses fails the ioctl.</summary>
    public HostAccess HostGetMsr(ResolvedMsr msr)
    {
        using var scope = Attribute();
        ExitToUserspace();
        return KvmGetMsr(msr, hostInitiated: true, out ulong value) == MsrAccessResult.Ok
            ? HostAccess.Ok(value)
            : HostAccess.Error;
    }

    /// <summary>KVM_SET_MSRS of a raw address.</summary>
    public HostAccess HostSetMsr(uint address, ulong value) => HostSetMsr(ResolveMsr(address), value);

    /// <summary>KVM_SET_MSRS.</summary>
    public HostAccess HostSetMsr(ResolvedMsr msr, ulong value)
    {
        using var scope = Attribute();
        ExitToUserspace();
        return KvmSetMsr(msr, value, hostInitiated: true) == MsrAccessResult.Ok
            ? HostAccess.Ok()
            : HostAccess.Error;
    }

    /// <summary>KVM_RUN returns to userspace (a kick, or the guest's I/O); the next guest action re-enters.</summary>
    public void ExitToUserspace()
    {
        using var scope = Attribute();
        if (InGuestMode)
        {
            VmExit(ExitReason.Other, VmExitKind.Slow);
        }

        LeaveRunLoop();
        if (InKvmRun)
        {
            InKvmRun = false;
            Pmu.ReturnToUserspace();
        }
    }

    /// <summary>
    /// kvm_make_all_cpus_request's kick: a vCPU in guest mode takes the IPI as an external-interrupt
    /// VM-exit (<c>exits.irq</c>), handles its pending requests (KVM_REQ_PMU) in vcpu_enter_guest
    /// and re-enters; a vCPU outside guest mode finds the request at its next entry.
    /// </summary>
    internal void Kick()
    {
        if (!InGuestMode)
        {
            return;
        }

        using var scope = Attribute();
        VmExit(ExitReason.ExternalInterrupt, VmExitKind.Slow);
        VmEnter();
    }

    /// <summary>
    /// An interrupt (e.g. perf's enabling IPI) arrives while the vCPU is in guest mode: an
    /// external-interrupt VM-exit (<c>exits.irq</c>) through the full exit path; the handler runs
    /// after it, with whatever PMU state the placement keeps loaded there.
    /// </summary>
    public void InterruptGuest()
    {
        using var scope = Attribute();
        VmEnter();
        VmExit(ExitReason.ExternalInterrupt, VmExitKind.Slow);
    }

    /// <summary>
    /// Puts the vCPU task inside KVM's run loop, out of guest mode, with the run loop's PMU state
    /// loaded: a vCPU in guest mode first exits (a full-path exit, <c>exits.other</c>); then, as
    /// vcpu_enter_guest does, requests are processed and the run loop entered, up to the VM-entry,
    /// which the next guest action performs.
    /// </summary>
    public void StopInRunLoop()
    {
        using var scope = Attribute();
        if (InGuestMode)
        {
            VmExit(ExitReason.Other, VmExitKind.Slow);
        }

        if (!HasRun)
        {
            HasRun = true;
            Pmu.OnFirstRun();
        }

        InKvmRun = true;
        StartRunLoop();
    }

    /// <summary>The vCPU task is scheduled out (kvm_sched_out; preemption kicks it out of the guest first).</summary>
    public void SchedOut()
    {
        if (ScheduledOut)
        {
            return;
        }

        using var scope = Attribute();
        if (InGuestMode)
        {
            VmExit(ExitReason.ExternalInterrupt, VmExitKind.Slow);
        }

        LeaveRunLoop();
        ScheduledOut = true;
        Pmu.SchedOut();
        Lbr?.SchedOut();
    }

    /// <summary>The vCPU task is scheduled back in (kvm_sched_in: the vPMU's cleanup is armed).</summary>
    public void SchedIn()
    {
        if (!ScheduledOut)
        {
            return;
        }

        using var scope = Attribute();
        ScheduledOut = false;
        Pmu.SchedIn();
        Lbr?.SchedIn();
    }

    /// <summary>Time passes with the vCPU halted (an HLT exit, then the wake-up).</summary>
    public void Idle(ulong cycles)
    {
        using var scope = Attribute();
        if (InGuestMode)
        {
            VmExit(ExitReason.Other, VmExitKind.Slow);
        }

        LeaveRunLoop();
        Host.Clock.Advance(cycles);
        Lbr?.Idle(cycles);
    }

    /// <summary>
    /// kvm_get_msr_common's PMU part: the LBR model's MSRs, then the vPMU's, then the P6/K7
    /// counter MSRs that read 0 when the vPMU does not have them, then DEBUGCTL; else #GP.
    /// </summary>
    private MsrAccessResult KvmGetMsr(ResolvedMsr msr, bool hostInitiated, out ulong value)
    {
        value = 0;
        if (!msr.Known)
        {
            return MsrAccessResult.GeneralProtection;
        }

        var register = msr.Register;
        if (Lbr is not null && Lbr.Claims(register))
        {
            return Lbr.GetMsr(register, hostInitiated, out value);
        }

        if (Pmu.IsValidMsr(register, hostInitiated))
        {
            return Pmu.GetMsr(register, out value);
        }

        if (IsLegacyCounterAlias(register))
        {
            return MsrAccessResult.Ok;
        }

        if (register.Id == MsrId.Ia32Debugctl && GuestCaps.IsIntel)
        {
            value = Debugctl;
            return MsrAccessResult.Ok;
        }

        if (register.Id == MsrId.Ia32MiscEnable && GuestCaps.IsIntel)
        {
            value = MiscEnable;
            return MsrAccessResult.Ok;
        }

        if (GuestCaps.IsAmd && register.Id is MsrId.MsrIa32Lastbranchfromip or MsrId.MsrIa32Lastbranchtoip
                or MsrId.MsrIa32Lastintfromip or MsrId.MsrIa32Lastinttoip)
        {
            // svm_get_msr serves the LBR v1 MSRs from the VMCB save area; the model records no AMD
            // guest branches there, so they read 0. There is no write case: a WRMSR #GPs.
            return MsrAccessResult.Ok;
        }

        return MsrAccessResult.GeneralProtection;
    }

    private MsrAccessResult KvmSetMsr(ResolvedMsr msr, ulong value, bool hostInitiated)
    {
        if (!msr.Known)
        {
            return MsrAccessResult.GeneralProtection;
        }

        var register = msr.Register;
        if (Lbr is not null && Lbr.Claims(register))
        {
            return Lbr.SetMsr(register, value, hostInitiated);
        }

        if (Pmu.IsValidMsr(register, hostInitiated))
        {
            return register.Id == MsrId.Ia32PerfCapabilities
                ? SetPerfCapabilities(value, hostInitiated)
                : Pmu.SetMsr(register, value, hostInitiated);
        }

        if (IsLegacyCounterAlias(register))
        {
            // kvm_set_msr_common: "unimplemented perfctr wrmsr", the write is dropped.
            return MsrAccessResult.Ok;
        }

        if (register.Id == MsrId.Ia32Debugctl && GuestCaps.IsIntel)
        {
            return SetDebugctl(value);
        }

        if (register.Id == MsrId.Ia32MiscEnable && GuestCaps.IsIntel)
        {
            return SetMiscEnable(value, hostInitiated);
        }

        return MsrAccessResult.GeneralProtection;
    }

    /// <summary>
    /// P6_PERFCTR0/1, P6_EVNTSEL0/1 and the K7 counters and event selects: KVM reads them as 0
    /// and drops writes when the vPMU does not own them (kvm_get/set_msr_common).
    /// </summary>
    internal static bool IsLegacyCounterAlias(MsrRef register) => register.Id switch
    {
        MsrId.Ia32Pmc or MsrId.Ia32Perfevtsel => register.Index < 2,
        MsrId.MsrK7Evntsel or MsrId.MsrK7Perfctr => register.Index < 4,
        _ => false,
    };

    /// <summary>
    /// DEBUGCTL without a guest LBR model (vmx_set_msr): unsupported BTF and LBR bits are dropped
    /// silently, any other unsupported bit is a #GP. BUS_LOCK_DETECT and RTM_DEBUG are supported
    /// when host and guest have them.
    /// </summary>
    private MsrAccessResult SetDebugctl(ulong value)
    {
        var host = Host.Caps;
        ulong supported = Ia32Debugctl.Zero
            .WithBusLockDetect(host.Has(PmuFeatures.BusLockDetect) && GuestCaps.Has(PmuFeatures.BusLockDetect))
            .WithRtmDebug(host.Has(PmuFeatures.Rtm) && GuestCaps.Has(PmuFeatures.Rtm)).Value;
        ulong dropped = Ia32Debugctl.Zero.WithBtf(true).WithLbr(true).Value;
        if ((value & ~supported) != 0)
        {
            value &= ~dropped;
        }

        if ((value & ~supported) != 0)
        {
            return MsrAccessResult.GeneralProtection;
        }

        Debugctl = value;
        return MsrAccessResult.Ok;
    }

    /// <summary>IA32_MISC_ENABLE's PMU bits that only the host may change (MSR_IA32_MISC_ENABLE_PMU_RO_MASK).</summary>
    private static readonly ulong MiscEnablePmuReadOnly = Ia32MiscEnable.Zero.WithPebsUnavail(true).WithBtsUnavail(true).Value;

    private ulong? _miscEnable;

    /// <summary>
    /// IA32_MISC_ENABLE as KVM keeps it: reset with PEBS and BTS unavailable, PEBS available when
    /// the guest's PERF_CAPABILITIES report a PEBS format (kvm_vcpu_reset, intel_pmu_refresh).
    /// </summary>
    public ulong MiscEnable => _miscEnable ?? Ia32MiscEnable.Zero.WithBtsUnavail(true).WithPebsUnavail(GuestCaps.PebsFormat == 0).Value;

    /// <summary>The guest may not flip the PMU read-only bits (#GP); other bits are stored (KVM emulates only a few).</summary>
    private MsrAccessResult SetMiscEnable(ulong value, bool hostInitiated)
    {
        if (!hostInitiated && ((MiscEnable ^ value) & MiscEnablePmuReadOnly) != 0)
        {
            return MsrAccessResult.GeneralProtection;
        }

        _miscEnable = value;
        return MsrAccessResult.Ok;
    }
}
