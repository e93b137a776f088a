using System;
using MsrGen.Runtime.Cost;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.Metrics;

namespace MsrGen.Runtime.Kvm;

/// <summary>
/// Long runs of identical VM-exits in closed form. <c>guest emulate instructions=N</c> and
/// <c>guest exits fastpath=N slow=N</c> are N round trips through the exit path that nothing
/// observes in between: each one adds the same amount to the metrics and the same number of
/// events to the guest's counters, until a counter would wrap where the guest can see it (its
/// first overflow, or any overflow that asks for a PMI). The run is stepped exactly a few
/// times, the per-exit effect is measured from two consecutive exits and checked to be the same,
/// and the steps up to the next counter wrap are added in one go; the exit where a counter wraps
/// (an overflow, maybe a PMI) is stepped exactly. Steps that are really taken are charged to the
/// work limit; the closed-form ones cost nothing.
/// </summary>
public sealed partial class Vcpu
{
    /// <summary>What one repeated step is.</summary>
    private enum RepeatedStep
    {
        EmulateInstructionAndBranch,
        EmulateInstruction,
        FastpathExit,
        SlowExit,
    }

    /// <summary>Exact steps before the first attempt at a closed form (the first exits may differ: requests, first reprogram).</summary>
    private const ulong WarmUpSteps = 2;

    /// <summary>
    /// Instructions KVM emulates for the guest (forced emulation): each one is a VM-exit, and on
    /// completion kvm_pmu_instruction_retired() (and kvm_pmu_branch_retired() for branches) runs.
    /// Every emulated instruction retires an instruction; the first <paramref name="branches"/>
    /// are also branches.
    /// </summary>
    public void GuestEmulate(ulong instructions, ulong branches)
    {
        using var scope = Attribute();
        VmEnter();
        ulong total = Math.Max(instructions, branches);
        Repeat(branches, RepeatedStep.EmulateInstructionAndBranch, "instructions KVM emulates, one VM-exit each");
        Repeat(total - branches, RepeatedStep.EmulateInstruction, "instructions KVM emulates, one VM-exit each");
    }

    /// <summary>VM-exits with no PMU work (timer, IPI, HLT): fastpath ones stay in the run loop.</summary>
    public void GuestExits(ulong fastpath, ulong slow)
    {
        using var scope = Attribute();
        VmEnter();
        Repeat(fastpath, RepeatedStep.FastpathExit, "fastpath VM-exits");
        Repeat(slow, RepeatedStep.SlowExit, "VM-exits");
    }

    private void Step(RepeatedStep step)
    {
        switch (step)
        {
            case RepeatedStep.EmulateInstructionAndBranch:
            case RepeatedStep.EmulateInstruction:
                VmExit(ExitReason.Other, VmExitKind.Slow);
                RetireEmulated(EmulatedEvent.Instruction);
                if (step == RepeatedStep.EmulateInstructionAndBranch)
                {
                    RetireEmulated(EmulatedEvent.Branch);
                }

                VmEnter();
                break;
            case RepeatedStep.FastpathExit:
                VmExit(ExitReason.Other, VmExitKind.Fastpath);
                VmEnter();
                break;
            default:
                VmExit(ExitReason.Other, VmExitKind.Slow);
                VmEnter();
                break;
        }
    }

    /// <summary>Takes <paramref name="count"/> steps, in closed form wherever two probe steps show a steady state.</summary>
    private void Repeat(ulong count, RepeatedStep step, string what)
    {
        ulong done = 0;
        ulong nextProbe = WarmUpSteps;
        ulong backoff = 16;
        while (done < count)
        {
            if (done >= nextProbe && count - done > 3 && Pmu is IRepeatableCounters { CanRepeat: true } counters)
            {
                ulong taken = TryRepeatInClosedForm(count - done, step, counters, what, out bool steady);
                done += taken;
                if (steady)
                {
                    backoff = 16;
                }
                else
                {
                    // Not steady yet (a request still pending, a counter about to wrap): step on, probe later.
                    nextProbe = done + backoff;
                    backoff = Math.Min(backoff * 2, 1UL << 16);
                }

                continue;
            }

            WorkMeter.Charge(1, what);
            Step(step);
            done++;
        }
    }

    /// <summary>
    /// Two exact steps measure the per-step effect; when both add the same to every metric and
    /// counter, the steps that keep every counter below its wrap are added at once, leaving at least
    /// one step for the caller to take exactly. Returns the steps accounted for.
    /// </summary>
    private ulong TryRepeatInClosedForm(ulong remaining, RepeatedStep step, IRepeatableCounters counters, string what, out bool steady)
    {
        int n = counters.RepeatableCounterCount;
        var c0 = new ulong[n];
        var c1 = new ulong[n];
        var c2 = new ulong[n];
        int ns = counters.RepeatableStatisticCount;
        var s0 = new long[ns];
        var s1 = new long[ns];
        var s2 = new long[ns];

        var m0 = CaptureWithCounters(counters, c0, s0);
        WorkMeter.Charge(1, what);
        Step(step);
        var m1 = CaptureWithCounters(counters, c1, s1);
        WorkMeter.Charge(1, what);
        Step(step);
        var m2 = CaptureWithCounters(counters, c2, s2);

        steady = VmMetrics.Checkpoint.SameDelta(m0, m1, m2) && HardwareAccessCounters.SameDelta(s0, s1, s2);
        var perStep = new ulong[n];
        ulong room = ulong.MaxValue;
        for (int i = 0; steady && i < n; i++)
        {
            ulong mask = counters.RepeatableCounterMask(i);
            ulong d1 = (c1[i] - c0[i]) & mask;
            ulong d2 = (c2[i] - c1[i]) & mask;
            // A wrap inside the probe shows as a smaller value: not steady, step on exactly.
            if (d1 != d2 || c2[i] < c1[i] || c1[i] < c0[i])
            {
                steady = false;
                break;
            }

            perStep[i] = d1;
            if (d1 != 0 && counters.RepeatableCounterWrapIsSilent(i))
            {
                // Its overflow was already seen and asks for no PMI: later wraps only change the value.
                continue;
            }

            if (d1 != 0)
            {
                // Steps that keep c2 + k*d <= mask - d, so the exact step after them cannot wrap unseen.
                ulong headroom = mask - c2[i];
                ulong fit = headroom / d1;
                room = Math.Min(room, fit > 1 ? fit - 1 : 0);
            }
        }

        // The wrap checks may have read resident state: not the guest's accesses.
        Metrics.Restore(m2);
        if (!steady)
        {
            return 2;
        }

        // Leave at least one exact step after the closed form (it folds what was added, as the kernel would).
        ulong bulk = Math.Min(remaining - 3, room);
        if (bulk == 0)
        {
            steady = false;
            return 2;
        }

        for (int i = 0; i < n; i++)
        {
            // Modulo the width: only a silently wrapping counter can pass it here.
            perStep[i] = (ulong)((UInt128)perStep[i] * bulk % ((UInt128)counters.RepeatableCounterMask(i) + 1));
        }

        counters.AddToRepeatableCounters(perStep);
        var statisticsPerStep = new long[ns];
        for (int i = 0; i < ns; i++)
        {
            statisticsPerStep[i] = s2[i] - s1[i];
        }

        counters.AddRepeatableStatistics(statisticsPerStep, bulk);
        // AddToRepeatableCounters may touch the modelled hardware: those accesses are not the guest's.
        Metrics.Restore(m2);
        Metrics.AddRepeated(m1, m2, bulk);
        return 2 + bulk;
    }

    /// <summary>A metrics checkpoint, the design's statistics, then the counters (whose reads are then taken back out of the metrics).</summary>
    private VmMetrics.Checkpoint CaptureWithCounters(IRepeatableCounters counters, ulong[] values, long[] statistics)
    {
        // A deferred world switch is completed first: its counts belong to the step before the checkpoint.
        Cpu.Pmu.SettlePendingMoves();
        var checkpoint = Metrics.Capture();
        counters.ReadRepeatableStatistics(statistics);
        counters.ReadRepeatableCounters(values);
        Metrics.Restore(checkpoint);
        return checkpoint;
    }
}
