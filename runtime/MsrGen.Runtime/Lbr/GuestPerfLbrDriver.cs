using System;
using MsrGen.Registers;

namespace MsrGen.Runtime.Lbr;

/// <summary>How guest perf uses the LBR.</summary>
public enum GuestLbrMode : byte
{
    Off,
    /// <summary>User call-stack mode: the stack is per task and must survive the guest's context switches.</summary>
    UserCallstack,
    /// <summary>Plain branch sampling (perf record -b): the stack is read in the PMI handler.</summary>
    Sampling,
}

/// <summary>What one guest read of the LBR stack found, judged against ground truth.</summary>
public readonly record struct LbrReadVerdict(int Entries, int PollutedEntries, int LostEntries)
{
    public bool Polluted => PollutedEntries > 0;
}

/// <summary>
/// The guest's perf LBR driver as Wei Wang, "[PATCH v2 6/8] perf/x86/intel/lbr: guest requesting KVM for lbr stack save/restore", LKML, 2018-09-06 describes it. In user call-stack mode the stack of each
/// task is saved and restored across the guest's own context switches (perf's sched-task path), and
/// it writes MSR_KVM_PV_LBR_CTRL.ACTIVE, but only when KVM offers KVM_FEATURE_PV_LBR_CTRL (CPUID
/// 0x40000001 EAX bit 12 in the 2018 profile). Before reading the stack, in the sched-task path and
/// in the PMI handler, it clears DEBUGCTL.LBR. A shadow stack per task records what a native CPU
/// would hold, and every read is compared with it and with the entries' owner tags.
/// </summary>
public sealed partial class GuestPerfLbrDriver
{
    private const int TaskCount = 2;
    private readonly VcpuLbr cpu;
    private readonly LbrBranchSource[] sources = new LbrBranchSource[TaskCount + 1];
    private readonly LbrStack[] shadows = new LbrStack[TaskCount + 1];
    private readonly TaskContext[] contexts = new TaskContext[TaskCount + 1];
    private readonly ReadBuffer buffer;
    private bool pmiPending;
    private bool switchPending;

    public GuestPerfLbrDriver(VcpuLbr cpu)
    {
        this.cpu = cpu;
        int depth = Math.Max(cpu.Hardware.Depth, 1);
        for (int task = 1; task <= TaskCount; task++)
        {
            sources[task] = new LbrBranchSource(0x0000_4000_0000UL * (ulong)task, (ulong)(0xA5A5 * task), userMode: true);
            shadows[task] = new LbrStack(cpu.GuestCaps.Lbr ? cpu.GuestCaps : cpu.Hardware.Caps);
            contexts[task] = new TaskContext(depth);
        }

        buffer = new ReadBuffer(depth);
        UsesPvControl = cpu.Options.Profile == MsrProfile.PvLbr2018 && cpu.GuestCaps.Has(PmuFeatures.PvLbrCtrl);
    }

    public GuestLbrMode Mode { get; private set; }

    public int CurrentTask { get; private set; } = 1;

    /// <summary>The driver talks to MSR_KVM_PV_LBR_CTRL (2018 guest with the CPUID feature offered).</summary>
    public bool UsesPvControl { get; }

    /// <summary>Set FREEZE_LBRS_ON_PMI with DEBUGCTL.LBR, as perf does on PMU versions before 4.</summary>
    public bool FreezeOnPmi => cpu.GuestCaps.Version < 4;

    /// <summary>The last judged read.</summary>
    public LbrReadVerdict LastVerdict { get; private set; }

    private LbrStack Shadow => shadows[Mode == GuestLbrMode.UserCallstack ? CurrentTask : 1];

    /// <summary>perf adds a user call-stack LBR event (intel_pmu_lbr_add + enable).</summary>
    public void EnableUserCallstack() => Enable(GuestLbrMode.UserCallstack, LbrFilter.UserCallStack);

    /// <summary>perf adds a plain branch-sampling LBR event.</summary>
    public void EnableSampling() => Enable(GuestLbrMode.Sampling, LbrFilter.AnyBranch);

    /// <summary>perf deletes the LBR event: ACTIVE cleared (PV), DEBUGCTL.LBR cleared.</summary>
    public void Disable()
    {
        CompletePending();
        if (Mode == GuestLbrMode.Off)
        {
            return;
        }

        if (Mode == GuestLbrMode.UserCallstack)
        {
            SetPvActive(false);
        }

        SetDebugctlLbr(false);
        Mode = GuestLbrMode.Off;
        for (int task = 1; task <= TaskCount; task++)
        {
            shadows[task].Recording = false;
        }
    }

    /// <summary>
    /// The current guest task takes <paramref name="count"/> taken branches, at
    /// <see cref="LbrVmOptions.CyclesPerBranch"/> each; <paramref name="elapsedCycles"/> of that
    /// time have already passed on the clock (a runtime stretch that carried its own cycles).
    /// </summary>
    public void TakeBranches(ulong count, long elapsedCycles = 0)
    {
        CompletePending();
        var owner = LbrOwner.GuestTask(CurrentTask);
        var source = sources[CurrentTask];
        var shadow = Shadow;
        long perBranch = Math.Max(0, cpu.Options.CyclesPerBranch);
        long cycles = (long)Math.Min(count, (ulong)(long.MaxValue / Math.Max(1, perBranch))) * perBranch;
        cpu.AdvanceTime(cycles - Math.Clamp(elapsedCycles, 0, cycles));
        bool recording = shadow.Recording || (cpu.Loaded && cpu.Hardware.Recording);
        if (!recording)
        {
            return;
        }

        // Outside call-stack mode only the newest entries survive: draw just enough to fill both stacks.
        bool callstack = shadow.Select.EnCallstack || cpu.Hardware.Select.EnCallstack;
        ulong keep = (ulong)(4 * Math.Max(shadow.Depth, cpu.Hardware.Depth));
        ulong drawn = !callstack && count > keep ? keep : count;
        global::MsrGen.Runtime.Metrics.WorkMeter.Charge(drawn, "LBR records");
        for (ulong i = 0; i < drawn; i++)
        {
            var branch = source.Next();
            if (cpu.Loaded)
            {
                cpu.Hardware.Record(branch, owner);
            }

            shadow.Record(branch, owner);
        }
    }

    /// <summary>A guest context switch, in one go.</summary>
    public void ContextSwitch()
    {
        BeginContextSwitch();
        FinishContextSwitch();
    }

    /// <summary>The sched-task path starts: in call-stack mode DEBUGCTL.LBR is cleared before the stack is read.</summary>
    public void BeginContextSwitch()
    {
        CompletePending();
        if (Mode == GuestLbrMode.UserCallstack)
        {
            SetDebugctlLbr(false);
        }

        switchPending = true;
    }

    /// <summary>The sched-task path completes: save this task's stack, switch, restore the next one's, re-enable.</summary>
    public void FinishContextSwitch()
    {
        if (!switchPending)
        {
            return;
        }

        switchPending = false;
        if (Mode != GuestLbrMode.UserCallstack)
        {
            CurrentTask = CurrentTask % TaskCount + 1;
            cpu.CurrentGuestTask = CurrentTask;
            return;
        }

        ReadAndJudge();
        contexts[CurrentTask].CaptureFrom(buffer);
        CurrentTask = CurrentTask % TaskCount + 1;
        cpu.CurrentGuestTask = CurrentTask;
        var next = contexts[CurrentTask];
        if (next.Valid)
        {
            RestoreContext(next);
        }
        else
        {
            ResetStack();
        }

        SetDebugctlLbr(true);
    }

    /// <summary>A PMI arrives and the handler starts: LBR disabled before the stack is read.</summary>
    public void BeginPmi()
    {
        CompletePending();
        cpu.DeliverPmi();
        if (Mode != GuestLbrMode.Off)
        {
            SetDebugctlLbr(false);
        }

        pmiPending = true;
    }

    /// <summary>The PMI handler reads the stack and re-enables the LBR.</summary>
    public void FinishPmi()
    {
        if (!pmiPending)
        {
            return;
        }

        pmiPending = false;
        if (Mode != GuestLbrMode.Off)
        {
            ReadAndJudge();
            SetDebugctlLbr(true);
        }
    }

    /// <summary>
    /// The guest reads its stack: completes a pending PMI handler or context switch, or else does a
    /// read of its own (clear DEBUGCTL.LBR, read, set it again). Returns the verdict.
    /// </summary>
    public LbrReadVerdict Read()
    {
        if (pmiPending)
        {
            FinishPmi();
            return LastVerdict;
        }

        if (switchPending)
        {
            FinishContextSwitch();
            return LastVerdict;
        }

        if (Mode == GuestLbrMode.Off)
        {
            return ReadAndJudge();
        }

        SetDebugctlLbr(false);
        var verdict = ReadAndJudge();
        SetDebugctlLbr(true);
        return verdict;
    }

    /// <summary>Finishes a handler or switch that is waiting for its stack read.</summary>
    public void CompletePending()
    {
        FinishPmi();
        FinishContextSwitch();
    }

    private void Enable(GuestLbrMode mode, MsrLbrSelect select)
    {
        CompletePending();
        if (Mode == mode)
        {
            return;
        }

        if (Mode != GuestLbrMode.Off)
        {
            Disable();
        }

        Mode = mode;
        for (int task = 1; task <= TaskCount; task++)
        {
            shadows[task].Write(new LbrRegister(LbrRegisterKind.Select, 0), select.Value, LbrOwner.Nobody);
            shadows[task].Wipe();
            shadows[task].Recording = true;
            contexts[task].Invalidate();
        }

        cpu.GuestWrmsr(MsrLbrSelect.Address, select.Value);
        ResetStack();
        if (mode == GuestLbrMode.UserCallstack)
        {
            SetPvActive(true);
        }

        SetDebugctlLbr(true);
    }

    private void SetPvActive(bool active)
    {
        if (!UsesPvControl)
        {
            return;
        }

        var old = cpu.GuestRdmsr(MsrKvmPvLbrCtrl.Address);
        if (old.Faulted)
        {
            return;
        }

        ulong updated = MsrKvmPvLbrCtrl.FromRawUnchecked(old.Value).WithActive(active).Value;
        if (updated != old.Value)
        {
            cpu.GuestWrmsr(MsrKvmPvLbrCtrl.Address, updated);
        }
    }

    private void SetDebugctlLbr(bool on)
    {
        var current = Ia32Debugctl.FromRawUnchecked(cpu.GuestRdmsr(Ia32Debugctl.Address).Value);
        var updated = current.WithLbr(on).WithFreezeLbrsOnPmi(on && FreezeOnPmi && cpu.LbrEnabled);
        cpu.GuestWrmsr(Ia32Debugctl.Address, updated.Value);
    }
}
