namespace MsrGen.Runtime.Lbr;

/// <summary><c>always</c>: the stack is passed through and moved on every vCPU switch.</summary>
public sealed class AlwaysLbrStrategy : LbrStrategy
{
    public override LbrStrategyKind Kind => LbrStrategyKind.Always;

    public override bool PassThrough => true;

    public override void OnSchedOut(VcpuLbr vcpu) => vcpu.SaveGuestStack();

    public override void OnSchedIn(VcpuLbr vcpu) => vcpu.RestoreGuestStack();
}

/// <summary><c>none</c>: the stack is passed through and never saved; whoever runs next overwrites it.</summary>
public sealed class NoLbrStrategy : LbrStrategy
{
    public override LbrStrategyKind Kind => LbrStrategyKind.None;

    public override bool PassThrough => true;
}

/// <summary>
/// <c>pv</c> (2018 v2 series): the guest sets MSR_KVM_PV_LBR_CTRL.ACTIVE in user call-stack mode;
/// while it is set the stack is saved and restored on vCPU switches. Stack MSRs are intercepted
/// until the first guest access, then passed through (Wei Wang and Like Xu, "[PATCH v2 0/8] Guest LBR Enabling", 2018-09-06).
/// </summary>
public sealed class PvLbrStrategy : LbrStrategy
{
    private bool active;
    private bool passedThrough;

    public override LbrStrategyKind Kind => LbrStrategyKind.Pv;

    public override bool PassThrough => passedThrough;

    public override LbrInterceptOutcome OnInterceptedAccess(VcpuLbr vcpu)
    {
        passedThrough = true;
        return LbrInterceptOutcome.Perform;
    }

    public override void OnPvControl(VcpuLbr vcpu, bool active)
    {
        this.active = active;
        if (!active)
        {
            vcpu.DropSavedStack();
        }
    }

    public override void OnSchedOut(VcpuLbr vcpu)
    {
        if (active)
        {
            vcpu.SaveGuestStack();
        }
    }

    public override void OnSchedIn(VcpuLbr vcpu)
    {
        if (active)
        {
            vcpu.RestoreGuestStack();
        }
    }
}

/// <summary>
/// <c>lazy</c> (review, A. Kleen): after a switch the stack MSRs are intercepted; the first guest
/// access restores the saved stack and passes the MSRs through; switch-out saves only if they were
/// passed through since the last switch (otherwise the earlier save is still the guest's latest).
/// </summary>
public sealed class LazyLbrStrategy : LbrStrategy
{
    private bool passedThrough;

    public override LbrStrategyKind Kind => LbrStrategyKind.Lazy;

    public override bool PassThrough => passedThrough;

    public override LbrInterceptOutcome OnInterceptedAccess(VcpuLbr vcpu)
    {
        vcpu.RestoreGuestStack();
        passedThrough = true;
        return LbrInterceptOutcome.Perform;
    }

    public override void OnSchedOut(VcpuLbr vcpu)
    {
        if (passedThrough)
        {
            vcpu.SaveGuestStack();
            passedThrough = false;
        }
    }
}

/// <summary>
/// <c>timer</c> (review, A. Kleen): setting DEBUGCTL.LBR makes the host hold the guest stack
/// (saved and restored on vCPU switches, MSRs passed through). Clearing it arms a one-shot timer
/// of <see cref="Window"/> cycles; setting it again cancels the timer; when the timer fires with
/// DEBUGCTL.LBR still clear, the host releases its state and forgets the saved stack. A timer
/// firing while the vCPU is loaded forces a VM-exit.
/// </summary>
public sealed class TimerLbrStrategy : LbrStrategy
{
    private bool holding;
    private bool armed;
    private long deadline;

    public TimerLbrStrategy(long window) => Window = window;

    public long Window { get; }

    public override LbrStrategyKind Kind => LbrStrategyKind.Timer;

    public override bool PassThrough => true;

    /// <summary>Whether the host currently holds (saves and restores) the guest stack.</summary>
    public bool Holding => holding;

    public override void OnDebugctlWritten(VcpuLbr vcpu, bool lbrBefore, bool lbrAfter)
    {
        if (lbrAfter)
        {
            holding = true;
            armed = false;
        }
        else if (lbrBefore && holding && !armed)
        {
            armed = true;
            deadline = vcpu.Now + Window;
        }
    }

    public override void OnTimeAdvanced(VcpuLbr vcpu)
    {
        if (!armed || vcpu.Now < deadline)
        {
            return;
        }

        armed = false;
        vcpu.CountTimerFire();
        if (!vcpu.GuestLbrBit)
        {
            holding = false;
            vcpu.DropSavedStack();
        }
    }

    public override void OnSchedOut(VcpuLbr vcpu)
    {
        if (holding)
        {
            vcpu.SaveGuestStack();
        }
    }

    public override void OnSchedIn(VcpuLbr vcpu)
    {
        if (holding)
        {
            vcpu.RestoreGuestStack();
        }
    }
}

/// <summary>
/// <c>kvm</c> (upstream since 5.12): writing DEBUGCTL.LBR=1, or touching a stack MSR, creates a host
/// perf event for the guest LBR user (a new event resets the LBR). While the event is active the
/// stack MSRs are passed through and perf saves/restores the stack on vCPU thread switches; while
/// the host owns the LBR, intercepted reads return 0 and writes are dropped. The legacy
/// FREEZE_LBRS_ON_PMI is emulated on PMI delivery (PMU version 2 and 3), and the event is released
/// on the next sched-in if DEBUGCTL.LBR is clear.
/// </summary>
public sealed class KvmLbrStrategy : LbrStrategy
{
    private bool eventExists;
    private bool hostOwns;

    public override LbrStrategyKind Kind => LbrStrategyKind.Kvm;

    public override bool PassThrough => eventExists && !hostOwns;

    /// <summary>The guest LBR perf event exists.</summary>
    public bool EventExists => eventExists;

    public override LbrInterceptOutcome OnInterceptedAccess(VcpuLbr vcpu)
    {
        if (!eventExists)
        {
            CreateEvent(vcpu);
        }

        return hostOwns ? LbrInterceptOutcome.Dummy : LbrInterceptOutcome.Perform;
    }

    public override void OnDebugctlWritten(VcpuLbr vcpu, bool lbrBefore, bool lbrAfter)
    {
        if (lbrAfter && !eventExists)
        {
            CreateEvent(vcpu);
        }
    }

    public override void OnSchedOut(VcpuLbr vcpu)
    {
        if (eventExists && !hostOwns)
        {
            vcpu.SaveGuestStack();
        }
    }

    public override void OnSchedIn(VcpuLbr vcpu)
    {
        if (eventExists && !hostOwns)
        {
            ScheduleGuestEvent(vcpu);
        }

        if (eventExists && !vcpu.GuestLbrBit)
        {
            eventExists = false;
            vcpu.CountPerfRelease();
            vcpu.DropSavedStack();
        }
    }

    public override void OnPmiDelivered(VcpuLbr vcpu)
    {
        if (vcpu.GuestCaps.Version is > 1 and < 4)
        {
            vcpu.EmulateLegacyFreezeOnPmi();
        }
    }

    public override void OnHostLbrOwnership(VcpuLbr vcpu, bool hostOwns)
    {
        // Only an event on the CPU moves the stack. With the vCPU thread scheduled out the guest's
        // stack is already in its task context (saved at sched-out) while the hardware holds other
        // tasks' branches, which must not overwrite it; sched-in restores it once the host lets go.
        if (vcpu.Loaded && eventExists)
        {
            if (hostOwns && !this.hostOwns)
            {
                // perf deschedules the guest event; its task context keeps the stack for later.
                vcpu.SaveGuestStack();
            }
            else if (!hostOwns && this.hostOwns)
            {
                ScheduleGuestEvent(vcpu);
            }
        }

        this.hostOwns = hostOwns;
    }

    /// <summary>
    /// The guest event goes (back) on the CPU: perf restores the stack its task context saved, or,
    /// with none saved (an event that never ran, or was off the CPU since it was created), resets
    /// the LBR (arch/x86/events/intel/lbr.c: __intel_pmu_lbr_restore() resets when the context's
    /// stack state is LBR_NONE, intel_pmu_lbr_add() when the event has no run time), so the
    /// guest never sees what other tasks left in the hardware.
    /// </summary>
    private static void ScheduleGuestEvent(VcpuLbr vcpu)
    {
        if (!vcpu.RestoreGuestStack())
        {
            vcpu.WipeStack();
        }
    }

    private void CreateEvent(VcpuLbr vcpu)
    {
        eventExists = true;
        vcpu.CountPerfCreate();
        vcpu.DropSavedStack();
        if (!hostOwns)
        {
            // intel_pmu_lbr_add: the first LBR user with no run time resets the stack.
            vcpu.WipeStack();
        }
    }
}
