using MsrGen.Runtime.HostPerf;

namespace MsrGen.Runtime.Legacy;

/// <summary>
/// KVM's struct kvm_pmc for the perf-emulated vPMU: the guest value lives in <see cref="Counter"/>
/// plus <see cref="EmulatedCounter"/> plus whatever the backing perf event counted since it was
/// last paused. Index space: GP i is i, fixed i is 32 + i.
/// </summary>
public sealed class LegacyPmc
{
    public const int FixedBase = 32;

    internal LegacyPmc(int idx) => Idx = idx;

    public int Idx { get; }
    public bool IsFixed => Idx >= FixedBase;
    public int Index
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        get => IsFixed ? Idx - FixedBase : Idx;
    }

    public ulong Counter { get; internal set; }
    public ulong EmulatedCounter { get; internal set; }

    /// <summary>Overflows of the backing perf event so far: each is one wrap of the guest counter.</summary>
    public ulong Wraps { get; internal set; }

    /// <summary>GP: the guest's event select. Fixed: the preset event plus OS/USR/INT/EN from the nibble.</summary>
    public ulong Eventsel { get; internal set; }

    public PerfEvent? PerfEvent { get; internal set; }

    /// <summary>Grouped events (Like Xu, "[PATCH RFC 7/8] KVM: x86/pmu: Use flex *event arrays to implement grouped events", LKML, 2022-12-12): the group's members after the leader, or null.</summary>
    public PerfEvent[]? Siblings { get; internal set; }

    public ulong CurrentConfig { get; internal set; }
    public bool IsPaused { get; internal set; } = true;
    public bool Intr { get; internal set; }

    public override string ToString() => IsFixed ? $"fixed{Index}" : $"gp{Index}";
}
