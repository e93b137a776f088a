using System;
using MsrGen.Registers;

namespace MsrGen.Runtime.Lbr;

/// <summary>
/// One physical CPU with its LBR stack, one vCPU of one VM running a guest perf driver, and host
/// threads that run on the same CPU when the vCPU is scheduled out. The self-contained driver for
/// LBR workloads: the comparison, the scenario driver and the tests all go through it.
/// </summary>
public sealed class LbrWorld
{
    private readonly LbrBranchSource hostSource = new(0xFFFF_FFFF_8100_0000UL, 0xC0FFEE, userMode: false);

    public LbrWorld(in PmuCaps hostCaps, in PmuCaps guestCaps, LbrVmOptions options)
        : this(new LbrStack(hostCaps), guestCaps, options)
    {
    }

    /// <summary>
    /// A world on an existing physical LBR stack (shared by whatever runs on that CPU), on
    /// <paramref name="clock"/> (its own clock when null).
    /// </summary>
    public LbrWorld(LbrStack hardware, in PmuCaps guestCaps, LbrVmOptions options, Hardware.SimClock? clock = null)
    {
        Hardware = hardware;
        Vcpu = new VcpuLbr(Hardware, guestCaps, options, clock);
        Guest = new GuestPerfLbrDriver(Vcpu);
    }

    public LbrStack Hardware { get; }

    public VcpuLbr Vcpu { get; }

    public GuestPerfLbrDriver Guest { get; }

    public LbrMetrics Metrics => Vcpu.Metrics;

    /// <summary>A Skylake-server-like host: PMU v4, 32 LBR entries, LBR format 5 (with LBR_INFO).</summary>
    public static PmuCaps SkylakeServer => new(CpuVendor.Intel, 4, 4, 3, 48, 48, 0x5 | (1UL << 13), 32, PmuFeatures.Pdcm);

    /// <summary>A Broadwell-like host: PMU v3 (legacy FREEZE_LBRS_ON_PMI), 16 entries, format 4 (no LBR_INFO).</summary>
    public static PmuCaps Broadwell => new(CpuVendor.Intel, 3, 4, 3, 48, 48, 0x4, 16, PmuFeatures.Pdcm);

    /// <summary>A Core 2-like host: PMU v2, 8 entries at the Core addresses, format 3.</summary>
    public static PmuCaps Core2 => new(CpuVendor.Intel, 2, 2, 3, 40, 40, 0x3, 8, PmuFeatures.Pdcm);

    /// <summary>The world for <paramref name="strategy"/> on <paramref name="host"/>, guest caps equal to the host's.</summary>
    public static LbrWorld Create(LbrStrategyKind strategy, in PmuCaps host, bool pvFeature = true, long? timerWindow = null)
    {
        var guest = pvFeature ? host with { Features = host.Features | PmuFeatures.PvLbrCtrl } : host;
        var options = new LbrVmOptions
        {
            Strategy = strategy,
            Profile = strategy == LbrStrategyKind.Pv ? MsrProfile.PvLbr2018 : MsrProfile.Upstream,
        };
        if (timerWindow is { } window)
        {
            options = options with { TimerWindow = window };
        }

        return new LbrWorld(host, guest, options);
    }

    /// <summary>
    /// The guest takes branches; a descheduled vCPU is scheduled in first. <paramref name="elapsedCycles"/>
    /// of their time have already passed on the clock.
    /// </summary>
    public void GuestBranches(ulong count, long elapsedCycles = 0)
    {
        Vcpu.SchedIn();
        Guest.TakeBranches(count, elapsedCycles);
    }

    /// <summary>
    /// A host thread takes <paramref name="branches"/> branches on this CPU with the LBR recording
    /// for itself (a host LBR user). A vCPU on the CPU is preempted for it and comes back after.
    /// </summary>
    public void HostThreadBranches(ulong branches, int thread = 1)
    {
        bool preempt = Vcpu.Loaded;
        if (preempt)
        {
            Vcpu.SchedOut();
        }

        Hardware.Write(new LbrRegister(LbrRegisterKind.Select, 0), LbrFilter.AnyBranch.Value, LbrOwner.HostThread(thread));
        Hardware.Recording = true;
        Hardware.RecordMany(hostSource, branches, LbrOwner.HostThread(thread));
        Hardware.Recording = false;
        long perBranch = Math.Max(1, Vcpu.Options.CyclesPerBranch);
        Vcpu.AdvanceTime((long)Math.Min(branches, (ulong)(long.MaxValue / perBranch)) * perBranch);
        if (preempt)
        {
            Vcpu.SchedIn();
        }
    }

    public void SchedOut() => Vcpu.SchedOut();

    public void SchedIn() => Vcpu.SchedIn();

    /// <summary>Time passes; the vCPU stays where it is (halted if loaded).</summary>
    public void Idle(long cycles) => Vcpu.AdvanceTime(cycles);
}
