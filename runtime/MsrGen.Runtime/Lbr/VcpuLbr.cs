using System;
using MsrGen.Registers;

namespace MsrGen.Runtime.Lbr;

/// <summary>The outcome of one guest access handed to the LBR model.</summary>
/// <param name="Handled">False when the address is not LBR-related (the vCPU handles it elsewhere).</param>
/// <param name="Result">Ok, or the #GP to inject into the guest.</param>
/// <param name="Value">The value read (0 for writes and faults).</param>
/// <param name="Exited">The access caused a VM-exit (it was intercepted).</param>
/// <param name="Truth">Ground-truth owner of the entry read; never shown to the guest.</param>
public readonly record struct LbrAccess(bool Handled, MsrAccessResult Result, ulong Value, bool Exited, LbrOwner Truth)
{
    public static LbrAccess NotMine => default;

    public bool Faulted => Result == MsrAccessResult.GeneralProtection;
}

/// <summary>How a VM's LBR virtualisation is configured.</summary>
public sealed record LbrVmOptions
{
    public LbrStrategyKind Strategy { get; init; } = LbrStrategyKind.Kvm;

    /// <summary>Hysteresis of the <c>timer</c> strategy in cycles: 10 ms at 3 GHz (the example of the 2018 guest LBR review).</summary>
    public long TimerWindow { get; init; } = 30_000_000;

    public MsrProfile Profile { get; init; } = MsrProfile.Upstream;

    /// <summary>The mediated vPMU is in use: KVM offers no LBR with it.</summary>
    public bool Mediated { get; init; }

    /// <summary>Host cycles of the primitives the LBR model charges: the runtime's one cost table.</summary>
    public Cost.CostTable Costs { get; init; } = new();

    /// <summary>Simulated time one taken branch represents (a model assumption, not a published figure).</summary>
    public long CyclesPerBranch { get; init; } = DefaultCyclesPerBranch;

    /// <summary>The default of <see cref="CyclesPerBranch"/>.</summary>
    public const long DefaultCyclesPerBranch = 5;
}

/// <summary>
/// The LBR side of one vCPU: KVM's access rules for DEBUGCTL, the LBR stack MSRs, arch LBR and
/// MSR_KVM_PV_LBR_CTRL, the guest's DEBUGCTL value, and the chosen strategy driven by vCPU
/// scheduling, PMIs and time. Guest faults are results (#GP to inject), never exceptions.
/// </summary>
public sealed class VcpuLbr
{
    private readonly LbrSnapshot saved;
    private ulong debugctl;
    private ulong pvControl;
    private bool hostOwnsLbr;

    public VcpuLbr(LbrStack hardware, in PmuCaps guestCaps, LbrVmOptions options, Hardware.SimClock? clock = null)
    {
        Hardware = hardware;
        Clock = clock ?? new Hardware.SimClock();
        Options = options;
        Strategy = LbrStrategy.Create(options.Strategy, options.TimerWindow);
        // KVM offers legacy LBR only with the host's format and depth, never with the mediated vPMU
        // or when the host has arch LBR (it is then not probed at all).
        LbrEnabled = guestCaps.Lbr && hardware.Depth > 0 && !options.Mediated
            && !hardware.Caps.Has(PmuFeatures.ArchLbr)
            && guestCaps.LbrDepth == hardware.Depth && guestCaps.LbrFormat == hardware.Caps.LbrFormat;
        GuestCaps = LbrEnabled ? guestCaps : guestCaps with { LbrDepth = 0 };
        saved = new LbrSnapshot(hardware.Depth);
        Loaded = true;
    }

    public LbrStack Hardware { get; }

    public LbrVmOptions Options { get; }

    public LbrStrategy Strategy { get; }

    /// <summary>The guest's PMU capabilities as KVM applies them (LBR depth 0 when LBR is not enabled).</summary>
    public PmuCaps GuestCaps { get; }

    /// <summary>LBR is enabled for this vCPU: the stack MSRs exist and DEBUGCTL.LBR is honoured.</summary>
    public bool LbrEnabled { get; }

    public LbrMetrics Metrics { get; } = new();

    /// <summary>Where time comes from: the host's clock inside the runtime, a clock of its own when the model runs alone.</summary>
    public Hardware.SimClock Clock { get; }

    /// <summary>Simulated time in cycles.</summary>
    public long Now => (long)Math.Min(Clock.Cycles, long.MaxValue);

    /// <summary>Whether the host owns the LBR (a host perf LBR user took it from the guest).</summary>
    public bool HostOwnsLbr => hostOwnsLbr;

    /// <summary>The vCPU thread is on the CPU (the guest runs or halts there).</summary>
    public bool Loaded { get; private set; }

    /// <summary>Ground truth: which guest task is running, for tagging what the guest writes.</summary>
    public int CurrentGuestTask { get; set; } = 1;

    public Ia32Debugctl GuestDebugctl => Ia32Debugctl.FromRawUnchecked(debugctl);

    public bool GuestLbrBit => GuestDebugctl.Lbr;

    public bool SavedStackValid => saved.Valid;

    public LbrAccess GuestRdmsr(uint address) => GuestRdmsr(LbrRegister.Of(address, Options.Profile));

    /// <summary>A guest RDMSR of a register the caller has already looked up in the catalog.</summary>
    public LbrAccess GuestRdmsr(LbrRegister register)
    {
        switch (register.Kind)
        {
            case LbrRegisterKind.Unrelated:
                return LbrAccess.NotMine;
            case LbrRegisterKind.Debugctl:
                Metrics.DebugctlExits++;
                return new(true, MsrAccessResult.Ok, debugctl, true, LbrOwner.Nobody);
            case LbrRegisterKind.PvLbrCtrl:
                if (!MsrKvmPvLbrCtrl.Exists(GuestCaps))
                {
                    return Fault();
                }

                Metrics.PvCtrlExits++;
                return new(true, MsrAccessResult.Ok, pvControl, true, LbrOwner.Nobody);
            case LbrRegisterKind.ArchLbr:
                return Fault();
            default:
                return StackAccess(register, write: false, 0, LbrOwner.Nobody);
        }
    }

    /// <summary>A guest WRMSR. <paramref name="truth"/> is the ground-truth owner of the data written
    /// (a guest restoring a saved stack writes back what it read); by default the running guest task.</summary>
    public LbrAccess GuestWrmsr(uint address, ulong value, LbrOwner? truth = null) =>
        GuestWrmsr(LbrRegister.Of(address, Options.Profile), value, truth);

    /// <summary>A guest WRMSR of a register the caller has already looked up in the catalog.</summary>
    public LbrAccess GuestWrmsr(LbrRegister register, ulong value, LbrOwner? truth = null)
    {
        switch (register.Kind)
        {
            case LbrRegisterKind.Unrelated:
                return LbrAccess.NotMine;
            case LbrRegisterKind.Debugctl:
                Metrics.DebugctlExits++;
                return WriteDebugctl(value);
            case LbrRegisterKind.PvLbrCtrl:
                if (!MsrKvmPvLbrCtrl.Exists(GuestCaps) || (value & MsrKvmPvLbrCtrl.ReservedMask(GuestCaps)) != 0)
                {
                    return Fault();
                }

                Metrics.PvCtrlExits++;
                pvControl = value;
                if (LbrEnabled)
                {
                    Strategy.OnPvControl(this, MsrKvmPvLbrCtrl.FromRawUnchecked(value).Active);
                }

                return new(true, MsrAccessResult.Ok, 0, true, LbrOwner.Nobody);
            case LbrRegisterKind.ArchLbr:
                return Fault();
            default:
                return StackAccess(register, write: true, value, truth ?? LbrOwner.GuestTask(CurrentGuestTask));
        }
    }

    /// <summary>The vCPU thread leaves the CPU.</summary>
    public void SchedOut()
    {
        if (!Loaded)
        {
            return;
        }

        if (LbrEnabled)
        {
            Strategy.OnSchedOut(this);
        }

        Loaded = false;
        Hardware.Recording = false;
    }

    /// <summary>The vCPU thread comes back to the CPU.</summary>
    public void SchedIn()
    {
        if (Loaded)
        {
            return;
        }

        Loaded = true;
        Metrics.VcpuSwitches++;
        if (LbrEnabled)
        {
            Strategy.OnSchedIn(this);
        }

        ApplyRecording();
    }

    /// <summary>KVM injects a PMI into the guest.</summary>
    public void DeliverPmi()
    {
        if (LbrEnabled)
        {
            Strategy.OnPmiDelivered(this);
        }
    }

    /// <summary>
    /// Time passes by <paramref name="cycles"/> (0: the clock moved elsewhere, the strategy only
    /// looks at it, e.g. for an expired timer).
    /// </summary>
    public void AdvanceTime(long cycles)
    {
        if (cycles > 0)
        {
            // Saturating: a scenario's huge idle stretch stops the clock at its end, never wraps it.
            Clock.Advance(Math.Min((ulong)cycles, ulong.MaxValue - Clock.Cycles));
        }

        if (LbrEnabled)
        {
            Strategy.OnTimeAdvanced(this);
        }
    }

    /// <summary>A host perf LBR user takes the LBR away from the guest (or gives it back).</summary>
    public void SetHostOwnsLbr(bool owns)
    {
        if (LbrEnabled && owns != hostOwnsLbr)
        {
            Strategy.OnHostLbrOwnership(this, owns);
        }

        hostOwnsLbr = owns;
    }

    // ---- Host-side operations the strategies use ------------------------------------------

    public void SaveGuestStack()
    {
        Metrics.HostLbrReads += Hardware.SaveTo(saved);
        Metrics.Saves++;
    }

    /// <summary>Restores the saved stack if there is one; returns whether it did.</summary>
    public bool RestoreGuestStack()
    {
        if (!saved.Valid)
        {
            return false;
        }

        Metrics.HostLbrWrites += Hardware.RestoreFrom(saved);
        Metrics.Restores++;
        return true;
    }

    public void DropSavedStack() => saved.Invalidate();

    public void WipeStack() => Metrics.HostLbrWrites += Hardware.Wipe();

    public void CountTimerFire()
    {
        Metrics.TimerFires++;
        if (Loaded)
        {
            Metrics.TimerExits++;
        }
    }

    public void CountPerfCreate() => Metrics.PerfEventCreates++;

    public void CountPerfRelease() => Metrics.PerfEventReleases++;

    /// <summary>KVM's legacy FREEZE_LBRS_ON_PMI emulation: clears the guest's DEBUGCTL.LBR.</summary>
    public void EmulateLegacyFreezeOnPmi()
    {
        var value = GuestDebugctl;
        if (value.FreezeLbrsOnPmi && value.Lbr)
        {
            debugctl = value.WithLbr(false).Value;
            ApplyRecording();
        }
    }

    // ---- Rules -------------------------------------------------------------------------------

    private LbrAccess WriteDebugctl(ulong value)
    {
        // Bits this vCPU may not set are reserved; KVM silently drops unsupported LBR and BTF and
        // faults on any other unsupported bit. BUS_LOCK_DETECT and RTM_DEBUG need host and guest.
        const PmuFeatures hostAndGuest = PmuFeatures.BusLockDetect | PmuFeatures.Rtm;
        var caps = GuestCaps with { Features = GuestCaps.Features & (Hardware.Caps.Features | ~hostAndGuest) };
        ulong reserved = Ia32Debugctl.ReservedMask(caps);
        ulong droppable = Ia32Debugctl.Zero.WithLbr(true).WithBtf(true).Value;
        if ((value & reserved & ~droppable) != 0)
        {
            return Fault();
        }

        bool before = GuestLbrBit;
        debugctl = value & ~reserved;
        ApplyRecording();
        if (LbrEnabled)
        {
            Strategy.OnDebugctlWritten(this, before, GuestLbrBit);
        }

        return new(true, MsrAccessResult.Ok, 0, true, LbrOwner.Nobody);
    }

    private LbrAccess StackAccess(LbrRegister register, bool write, ulong value, LbrOwner truth)
    {
        if (!LbrEnabled || !register.ExistsFor(GuestCaps))
        {
            return Fault();
        }

        Metrics.GuestLbrAccesses++;
        bool exited = !Strategy.PassThrough;
        var outcome = LbrInterceptOutcome.Perform;
        if (exited)
        {
            Metrics.InterceptedLbrAccesses++;
            outcome = Strategy.OnInterceptedAccess(this);
        }

        if (outcome == LbrInterceptOutcome.Dummy)
        {
            return new(true, MsrAccessResult.Ok, 0, exited, LbrOwner.Nobody);
        }

        if (write)
        {
            var result = Hardware.Write(register, value, truth);
            if (result != MsrAccessResult.Ok)
            {
                Metrics.GeneralProtectionFaults++;
            }

            return new(true, result, 0, exited, LbrOwner.Nobody);
        }

        var read = Hardware.Read(register, out ulong data, out LbrOwner owner);
        return new(true, read, data, exited, owner);
    }

    private LbrAccess Fault()
    {
        Metrics.GeneralProtectionFaults++;
        return new(true, MsrAccessResult.GeneralProtection, 0, true, LbrOwner.Nobody);
    }

    private void ApplyRecording() => Hardware.Recording = Loaded && LbrEnabled && GuestLbrBit;
}
