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
/// The guest's perf LBR driver as seed 001 describes it. In user call-stack mode the stack of each
/// task is saved and restored across the guest's own context switches (perf's sched-task path), and
/// it writes MSR_KVM_PV_LBR_CTRL.ACTIVE, but only when KVM offers KVM_FEATURE_PV_LBR_CTRL (CPUID
/// 0x40000001 EAX bit 12 in the 2018 profile). Before reading the stack, in the sched-task path and
/// in the PMI handler, it clears DEBUGCTL.LBR. A shadow stack per task records what a native CPU
/// would hold, and every read is compared with it and with the entries' owner tags.
/// </summary>
public sealed class GuestPerfLbrDriver
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

    /// <summary>The current guest task takes <paramref name="count"/> taken branches.</summary>
    public void TakeBranches(ulong count)
    {
        CompletePending();
        var owner = LbrOwner.GuestTask(CurrentTask);
        var source = sources[CurrentTask];
        var shadow = Shadow;
        cpu.AdvanceTime((long)Math.Min(count, (ulong)(long.MaxValue / Math.Max(1, cpu.Options.Costs.CyclesPerBranch))) * cpu.Options.Costs.CyclesPerBranch);
        bool recording = shadow.Recording || (cpu.Loaded && cpu.Hardware.Recording);
        if (!recording)
        {
            return;
        }

        // Outside call-stack mode only the newest entries survive: draw just enough to fill both stacks.
        bool callstack = shadow.Select.EnCallstack || cpu.Hardware.Select.EnCallstack;
        ulong keep = (ulong)(4 * Math.Max(shadow.Depth, cpu.Hardware.Depth));
        ulong drawn = !callstack && count > keep ? keep : count;
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

    /// <summary>intel_pmu_lbr_reset: zeros to every entry and TOS.</summary>
    private void ResetStack()
    {
        int depth = cpu.GuestCaps.LbrDepth;
        for (int n = 0; n < depth; n++)
        {
            cpu.GuestWrmsr(LbrRegister.FromAddress(depth, n), 0, LbrOwner.Nobody);
            cpu.GuestWrmsr(LbrRegister.ToAddress(depth, n), 0, LbrOwner.Nobody);
            if (cpu.GuestCaps.LbrInfo)
            {
                cpu.GuestWrmsr(MsrLbrInfo.AddressOf(n), 0, LbrOwner.Nobody);
            }
        }

        cpu.GuestWrmsr(MsrLbrTos.Address, 0, LbrOwner.Nobody);
    }

    private void RestoreContext(TaskContext context)
    {
        int depth = cpu.GuestCaps.LbrDepth;
        for (int n = 0; n < depth; n++)
        {
            cpu.GuestWrmsr(LbrRegister.FromAddress(depth, n), context.From[n], context.Owner[n]);
            cpu.GuestWrmsr(LbrRegister.ToAddress(depth, n), context.To[n], context.Owner[n]);
            if (cpu.GuestCaps.LbrInfo)
            {
                cpu.GuestWrmsr(MsrLbrInfo.AddressOf(n), context.Info[n], context.Owner[n]);
            }
        }

        cpu.GuestWrmsr(MsrLbrTos.Address, MsrLbrTos.Zero.WithTos((byte)context.Tos).Value, LbrOwner.Nobody);
    }

    /// <summary>intel_pmu_lbr_read: TOS, then every entry, newest first; judged against the shadow.</summary>
    private LbrReadVerdict ReadAndJudge()
    {
        int depth = cpu.GuestCaps.LbrDepth;
        if (depth == 0)
        {
            // No LBR for this vCPU: the guest's first access takes the #GP and it gives up.
            cpu.GuestRdmsr(MsrLbrTos.Address);
            LastVerdict = default;
            return LastVerdict;
        }

        var tos = cpu.GuestRdmsr(MsrLbrTos.Address);
        buffer.Tos = MsrLbrTos.FromRawUnchecked(tos.Value).Tos % depth;
        for (int n = 0; n < depth; n++)
        {
            var from = cpu.GuestRdmsr(LbrRegister.FromAddress(depth, n));
            var to = cpu.GuestRdmsr(LbrRegister.ToAddress(depth, n));
            buffer.From[n] = from.Value;
            buffer.To[n] = to.Value;
            buffer.Owner[n] = from.Truth.Kind != LbrOwnerKind.Nobody ? from.Truth : to.Truth;
            buffer.Info[n] = cpu.GuestCaps.LbrInfo ? cpu.GuestRdmsr(MsrLbrInfo.AddressOf(n)).Value : 0;
        }

        var shadow = Shadow;
        int polluted = 0;
        int lost = 0;
        for (int age = 0; age < depth; age++)
        {
            int slot = ((buffer.Tos - age) % depth + depth) % depth;
            int shadowSlot = shadow.Slot(age);
            shadow.Read(new LbrRegister(LbrRegisterKind.From, shadowSlot), out ulong expectedFrom, out _);
            shadow.Read(new LbrRegister(LbrRegisterKind.To, shadowSlot), out ulong expectedTo, out _);
            if (buffer.Owner[slot].IsHost)
            {
                polluted++;
            }
            else if (buffer.From[slot] != expectedFrom || buffer.To[slot] != expectedTo)
            {
                lost++;
            }
        }

        var metrics = cpu.Metrics;
        metrics.GuestReads++;
        metrics.PollutedEntries += polluted;
        metrics.LostEntries += lost;
        if (polluted > 0)
        {
            metrics.PollutedReads++;
        }

        LastVerdict = new LbrReadVerdict(depth, polluted, lost);
        return LastVerdict;
    }

    private sealed class ReadBuffer(int depth)
    {
        public int Tos;
        public readonly ulong[] From = new ulong[depth];
        public readonly ulong[] To = new ulong[depth];
        public readonly ulong[] Info = new ulong[depth];
        public readonly LbrOwner[] Owner = new LbrOwner[depth];
    }

    /// <summary>perf's per-task LBR context (task_ctx_data), with the ground-truth tags of what it holds.</summary>
    private sealed class TaskContext(int depth)
    {
        public int Tos;
        public bool Valid;
        public readonly ulong[] From = new ulong[depth];
        public readonly ulong[] To = new ulong[depth];
        public readonly ulong[] Info = new ulong[depth];
        public readonly LbrOwner[] Owner = new LbrOwner[depth];

        public void CaptureFrom(ReadBuffer read)
        {
            Array.Copy(read.From, From, From.Length);
            Array.Copy(read.To, To, To.Length);
            Array.Copy(read.Info, Info, Info.Length);
            Array.Copy(read.Owner, Owner, Owner.Length);
            Tos = read.Tos;
            Valid = true;
        }

        public void Invalidate() => Valid = false;
    }
}
