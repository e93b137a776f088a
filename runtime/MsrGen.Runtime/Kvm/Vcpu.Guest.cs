using MsrGen.Registers;
using MsrGen.Runtime.Cost;
using MsrGen.Runtime.Hardware;
using MsrGen.Scenarios;

namespace MsrGen.Runtime.Kvm;

/// <summary>Guest instructions and execution.</summary>
public sealed partial class Vcpu
{
    /// <summary>VMware backdoor pseudo-PMCs (RDPMC ECX 0x10000-0x10002, arch/x86/kvm/pmu.c kvm_pmu_rdpmc_vmware()).</summary>
    public const uint VmwareHostTsc = 0x10000, VmwareRealTime = 0x10001, VmwareApparentTime = 0x10002;

    /// <summary>Puts the vCPU in guest mode (the first call is its first KVM_RUN) without retiring anything.</summary>
    public void EnterGuest()
    {
        using var scope = Attribute();
        VmEnter();
    }

    /// <summary>Guest RDMSR of a raw address (trace replay, tests): the one catalog lookup of this access.</summary>
    public GuestAccess GuestRdmsr(uint address) => GuestRdmsr(ResolveMsr(address));

    /// <summary>
    /// Guest RDMSR: exits if the intercept table says so, else reads the hardware directly (the LBR
    /// model's pass-through stack MSRs, or the vPMU's).
    /// </summary>
    public GuestAccess GuestRdmsr(ResolvedMsr msr)
    {
        using var scope = Attribute();
        VmEnter();
        if (Intercepts(msr.Address, write: false))
        {
            VmExit(ExitReason.MsrRead, VmExitKind.Slow);
            var result = KvmGetMsr(msr, hostInitiated: false, out ulong value);
            return CompleteIntercepted(result == MsrAccessResult.Ok ? GuestAccess.Ok(value) : GuestAccess.Fault);
        }

        ulong raw = 0;
        var register = msr.Register;
        var direct = !msr.Known ? MsrAccessResult.GeneralProtection
            : Lbr is not null && Lbr.Claims(register) ? Lbr.PassthroughRead(register, out raw)
            : Pmu.PassthroughRead(register, out raw);
        return CompleteNative(direct == MsrAccessResult.Ok ? GuestAccess.Ok(raw) : GuestAccess.Fault);
    }

    /// <summary>Guest WRMSR of a raw address: the one catalog lookup of this access.</summary>
    public GuestAccess GuestWrmsr(uint address, ulong value) => GuestWrmsr(ResolveMsr(address), value);

    /// <summary>Guest WRMSR.</summary>
    public GuestAccess GuestWrmsr(ResolvedMsr msr, ulong value)
    {
        using var scope = Attribute();
        VmEnter();
        if (Intercepts(msr.Address, write: true))
        {
            VmExit(ExitReason.MsrWrite, VmExitKind.Slow);
            var result = KvmSetMsr(msr, value, hostInitiated: false);
            return CompleteIntercepted(result == MsrAccessResult.Ok ? GuestAccess.Ok() : GuestAccess.Fault);
        }

        var register = msr.Register;
        var direct = !msr.Known ? MsrAccessResult.GeneralProtection
            : Lbr is not null && Lbr.Claims(register) ? Lbr.PassthroughWrite(register, value)
            : Pmu.PassthroughWrite(register, value);
        return CompleteNative(direct == MsrAccessResult.Ok ? GuestAccess.Ok() : GuestAccess.Fault);
    }

    /// <summary>
    /// Guest RDPMC. The CPL/CR4.PCE check is the CPU's and comes before RDPMC exiting; with the
    /// VMware backdoor KVM intercepts that #GP and serves the pseudo-PMCs itself.
    /// </summary>
    public GuestAccess GuestRdpmc(uint ecx)
    {
        using var scope = Attribute();
        VmEnter();
        bool backdoor = Host.Parameters.VmwareBackdoor && ecx is >= VmwareHostTsc and <= VmwareApparentTime;
        if (Cpl > 0 && !Cr4Pce && !backdoor)
        {
            Metrics.CountGuestFault();
            return GuestAccess.Fault;
        }

        if (Pmu.InterceptsRdpmc || backdoor)
        {
            VmExit(backdoor && Cpl > 0 && !Cr4Pce ? ExitReason.Other : ExitReason.Rdpmc, VmExitKind.Slow);
            return CompleteIntercepted(KvmRdpmc(ecx, backdoor));
        }

        var direct = Pmu.Rdpmc(ecx, out ulong value);
        return CompleteNative(direct == MsrAccessResult.Ok ? GuestAccess.Ok(value) : GuestAccess.Fault);
    }

    /// <summary>kvm_pmu_rdpmc: no PMU → #GP; VMware pseudo-PMCs; then the design's counters.</summary>
    private GuestAccess KvmRdpmc(uint ecx, bool backdoor)
    {
        if (backdoor)
        {
            ulong value = ecx switch
            {
                VmwareHostTsc => Host.Clock.Cycles,
                _ => Host.Clock.Nanoseconds,
            };
            return GuestAccess.Ok(value);
        }

        if (GuestCaps.Version == 0)
        {
            return GuestAccess.Fault;
        }

        return Pmu.Rdpmc(ecx, out ulong counter) == MsrAccessResult.Ok ? GuestAccess.Ok(counter) : GuestAccess.Fault;
    }

    /// <summary>The guest retires a stretch natively at its current CPL (exits for PMIs and timers on the way).</summary>
    public void GuestRun(EventBatch batch)
    {
        using var scope = Attribute();
        VmEnter();
        int cpl = Cpl;
        ulong start = Host.Clock.Cycles;
        Pmu.BeforeGuestRun(batch, cpl);
        ulong step = 0;
        while (step < batch.Steps)
        {
            ulong limit = Cpu.Perf.StepLimit(batch, step);
            var stop = Cpu.Pmu.Run(batch, ref step, limit, cpl);
            if (stop == RunStop.Pmi)
            {
                // The host PMI (NMI, or the mediated vector) forces a VM-exit; requests run before re-entry.
                VmExit(Cpu.Perf.GuestLvtpcLoaded ? ExitReason.ExternalInterrupt : ExitReason.Nmi, VmExitKind.Slow);
                Metrics.AddCost(Costs, CostTable.HostPmi);
                VmEnter();
            }
            else if (Host.Clock.Cycles >= Cpu.Perf.NextRotationCycle)
            {
                // perf's multiplexing hrtimer interrupts the guest to rotate the flexible events.
                VmExit(ExitReason.ExternalInterrupt, VmExitKind.Slow);
                Cpu.Perf.OnMuxTimer();
                VmEnter();
            }
        }

        Pmu.AfterGuestRun(batch, cpl);
        if (Lbr is not null)
        {
            ulong branches = batch.CountOf(HardwareEvent.Encode(EventKind.Branches, GuestCaps.Vendor));
            if (branches != 0)
            {
                Lbr.GuestBranches(branches, Host.Clock.Cycles - start);
            }
        }
    }

    /// <summary>An intercepted instruction: a fault is injected, success skips it (counted as emulated), then re-entry.</summary>
    private GuestAccess CompleteIntercepted(GuestAccess outcome)
    {
        if (outcome.Faulted)
        {
            Metrics.CountGuestFault();
        }
        else
        {
            RetireEmulated(EmulatedEvent.Instruction);
        }

        VmEnter();
        return outcome;
    }

    /// <summary>
    /// KVM retired an instruction or branch it emulated or skipped (arch/x86/kvm/x86.c
    /// kvm_skip_emulated_instruction() and the emulator call kvm_pmu_instruction_retired() /
    /// kvm_pmu_branch_retired()): the vPMU counts it, and when kvm_pmu_trigger_event() had a
    /// counter to walk the walk is charged as <c>kvm.emulated-event</c>. With no enabled counter
    /// selecting the event it returns after one bitmap test, which is not priced (the fix for the
    /// per-exit cost reported by Konstantin Khorenko, "KVM: x86/vPMU: Speed up vmexit for AMD Zen 4
    /// CPUs", LKML, 2023-11-09).
    /// </summary>
    internal void RetireEmulated(EmulatedEvent kind)
    {
        if (Pmu.OnEmulatedEvent(kind))
        {
            Metrics.AddCost(Costs, CostTable.EmulatedEvent);
        }
    }

    /// <summary>An instruction the hardware executed: on success it retires one instruction at the current CPL.</summary>
    private GuestAccess CompleteNative(GuestAccess outcome)
    {
        if (outcome.Faulted)
        {
            Metrics.CountGuestFault();
            return outcome;
        }

        _single.Clear().Add(HardwareEvent.Encode(EventKind.Instructions, GuestCaps.Vendor), 1);
        GuestRun(_single);
        return outcome;
    }
}
