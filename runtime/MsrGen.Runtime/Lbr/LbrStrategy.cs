using System;

namespace MsrGen.Runtime.Lbr;

/// <summary>The guest LBR virtualisation strategies one VM can choose (<c>vm lbr=...</c>).</summary>
public enum LbrStrategyKind : byte
{
    /// <summary>2018 proposal: save/restore on vCPU switches while the guest has MSR_KVM_PV_LBR_CTRL.ACTIVE set.</summary>
    Pv,
    /// <summary>Review's alternative: intercept after a switch, restore on first access, save only if passed through.</summary>
    Lazy,
    /// <summary>Review's alternative: hold the state while DEBUGCTL.LBR was set within a hysteresis window.</summary>
    Timer,
    /// <summary>What upstream KVM merged: a host perf event per guest LBR user.</summary>
    Kvm,
    /// <summary>Bound: save and restore on every vCPU switch.</summary>
    Always,
    /// <summary>Bound: never save or restore.</summary>
    None,
}

/// <summary>What a strategy does with an intercepted guest access of a valid LBR stack MSR.</summary>
public enum LbrInterceptOutcome : byte
{
    /// <summary>Carry out the access on the hardware LBR.</summary>
    Perform,
    /// <summary>The host owns the LBR: reads return 0, writes are dropped.</summary>
    Dummy,
}

/// <summary>
/// One LBR virtualisation policy. The vCPU (<see cref="VcpuLbr"/>) applies KVM's access rules and
/// calls these hooks only when LBR is enabled for the vCPU; the policy decides when the guest stack
/// is saved, restored or dropped and whether stack MSRs are passed through. Hooks never throw.
/// </summary>
public abstract class LbrStrategy
{
    public abstract LbrStrategyKind Kind { get; }

    /// <summary>Guest accesses of LBR stack MSRs go straight to hardware (no VM-exit).</summary>
    public abstract bool PassThrough { get; }

    public virtual LbrInterceptOutcome OnInterceptedAccess(VcpuLbr vcpu) => LbrInterceptOutcome.Perform;

    public virtual void OnDebugctlWritten(VcpuLbr vcpu, bool lbrBefore, bool lbrAfter)
    {
    }

    public virtual void OnPvControl(VcpuLbr vcpu, bool active)
    {
    }

    public virtual void OnSchedOut(VcpuLbr vcpu)
    {
    }

    public virtual void OnSchedIn(VcpuLbr vcpu)
    {
    }

    public virtual void OnPmiDelivered(VcpuLbr vcpu)
    {
    }

    public virtual void OnTimeAdvanced(VcpuLbr vcpu)
    {
    }

    public virtual void OnHostLbrOwnership(VcpuLbr vcpu, bool hostOwns)
    {
    }

    public static LbrStrategy Create(LbrStrategyKind kind, long timerWindow) => kind switch
    {
        LbrStrategyKind.Pv => new PvLbrStrategy(),
        LbrStrategyKind.Lazy => new LazyLbrStrategy(),
        LbrStrategyKind.Timer => new TimerLbrStrategy(Math.Max(1, timerWindow)),
        LbrStrategyKind.Kvm => new KvmLbrStrategy(),
        LbrStrategyKind.Always => new AlwaysLbrStrategy(),
        _ => new NoLbrStrategy(),
    };

    /// <summary>The scenario-language name (<c>pv</c>, <c>lazy</c>, ...).</summary>
    public static string NameOf(LbrStrategyKind kind) => kind switch
    {
        LbrStrategyKind.Pv => "pv",
        LbrStrategyKind.Lazy => "lazy",
        LbrStrategyKind.Timer => "timer",
        LbrStrategyKind.Kvm => "kvm",
        LbrStrategyKind.Always => "always",
        _ => "none",
    };

    public static bool TryParse(string? name, out LbrStrategyKind kind)
    {
        foreach (LbrStrategyKind candidate in Enum.GetValues<LbrStrategyKind>())
        {
            if (string.Equals(NameOf(candidate), name, StringComparison.OrdinalIgnoreCase))
            {
                kind = candidate;
                return true;
            }
        }

        kind = LbrStrategyKind.None;
        return false;
    }
}
