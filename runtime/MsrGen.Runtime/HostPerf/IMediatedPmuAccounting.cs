namespace MsrGen.Runtime.HostPerf;

/// <summary>
/// perf's bookkeeping between host events that count in guests (<c>!exclude_guest</c>) and VMs
/// with a mediated PMU, which exclude each other in KVM 7.0. Host perf calls it; the mediated
/// vPMU supplies the real implementation (Mediated/), the default allows everything.
/// </summary>
public interface IMediatedPmuAccounting
{
    /// <summary>A core-PMU event is being created; <see cref="PerfError.Ebusy"/> refuses it.</summary>
    PerfError OnEventCreate(PerfEventAttr attr);

    /// <summary>An event that <see cref="OnEventCreate"/> accepted is released.</summary>
    void OnEventRelease(PerfEventAttr attr);

    /// <summary>A VM creates its mediated PMU (first vCPU); <see cref="PerfError.Ebusy"/> refuses it.</summary>
    PerfError OnMediatedPmuCreate();

    void OnMediatedPmuRelease();
}

/// <summary>No exclusion at all: what host perf does when no mediated vPMU is in the picture.</summary>
public sealed class AlwaysAllowMediatedPmuAccounting : IMediatedPmuAccounting
{
    public static AlwaysAllowMediatedPmuAccounting Instance { get; } = new();

    public PerfError OnEventCreate(PerfEventAttr attr) => PerfError.None;

    public void OnEventRelease(PerfEventAttr attr)
    {
    }

    public PerfError OnMediatedPmuCreate() => PerfError.None;

    public void OnMediatedPmuRelease()
    {
    }
}
