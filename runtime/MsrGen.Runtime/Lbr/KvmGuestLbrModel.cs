using System;
using System.Collections.Generic;
using System.Globalization;
using MsrGen.Registers;
using MsrGen.Runtime.Kvm;

namespace MsrGen.Runtime.Lbr;

/// <summary>
/// Plugs the LBR strategies into the runtime's vCPU (<c>vm lbr=pv|lazy|timer|kvm|always|none</c>);
/// found by <see cref="VpmuRegistry"/>. The default is <c>kvm</c> (upstream) or <c>pv</c> (the
/// pv-lbr-2018 profile) for an emulated-vPMU Intel guest with LBR; none otherwise.
/// </summary>
public sealed class KvmGuestLbrModelFactory : IGuestLbrModelFactory
{
    public IReadOnlyList<string> Strategies { get; } = ["pv", "lazy", "timer", "kvm", "always", "none"];

    public string? DefaultStrategy(VmConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Mode != VpmuMode.Emulated || !config.GuestCaps.Lbr)
        {
            return null;
        }

        return config.Profile == MsrProfile.PvLbr2018 ? "pv" : "kvm";
    }

    public string? Validate(HostMachine host, VmConfig config, string strategy)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!LbrStrategy.TryParse(strategy, out _))
        {
            return $"unknown LBR strategy '{strategy}'; expected {string.Join(", ", Strategies)}";
        }

        if (config.Option("lbr-window") is { } window && !ulong.TryParse(window, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            return $"lbr-window must be a number of cycles, found '{window}'";
        }

        return null;
    }

    public IGuestLbrModel Create(Vcpu vcpu, string strategy)
    {
        ArgumentNullException.ThrowIfNull(vcpu);
        LbrStrategy.TryParse(strategy, out var kind);
        return new KvmGuestLbrModel(vcpu, kind);
    }
}

/// <summary>
/// One vCPU's guest LBR model inside the runtime: an <see cref="LbrWorld"/> on the LBR stack of
/// the vCPU's physical CPU (shared with every vCPU and host thread on that CPU), on the host's
/// <see cref="MsrGen.Runtime.Hardware.SimClock"/> (guest branches and host threads advance it at
/// <see cref="LbrVmOptions.CyclesPerBranch"/> per branch; <c>idle</c> and <c>guest run cycles=</c>
/// advance it in the runtime). It keeps the vCPU's MSR bitmap entries of the LBR stack MSRs in
/// step with the strategy (intercepted or passed through), so the vCPU's exit pipeline exits
/// exactly when KVM's bitmap would. Its counters are published to the VM's metrics as <c>lbr.*</c>.
/// </summary>
public sealed class KvmGuestLbrModel : IGuestLbrModel
{
    private readonly Vcpu vcpu;
    private readonly LbrWorld world;
    private readonly long[] published = new long[LbrMetrics.Names.Length];
    private readonly uint[] stackAddresses;

    public KvmGuestLbrModel(Vcpu vcpu, LbrStrategyKind strategy)
    {
        ArgumentNullException.ThrowIfNull(vcpu);
        this.vcpu = vcpu;
        var options = new LbrVmOptions
        {
            Strategy = strategy,
            Profile = vcpu.Vm.Profile,
            Mediated = vcpu.Vm.Mode == VpmuMode.Mediated,
        };
        if (vcpu.Vm.Config.Option("lbr-window") is { } text && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long window))
        {
            options = options with { TimerWindow = window };
        }

        world = new LbrWorld(vcpu.Cpu.Lbr, vcpu.GuestCaps, options, vcpu.Host.Clock);
        stackAddresses = world.Vcpu.LbrEnabled ? StackAddresses(world.Vcpu.GuestCaps) : [];
    }

    /// <summary>The model's world (tests and reports read its metrics and hardware).</summary>
    public LbrWorld World => world;

    public bool Claims(MsrRef register) => LbrRegister.FromCatalog(register).Kind != LbrRegisterKind.Unrelated;

    /// <summary>
    /// Whether a guest access of the LBR stack MSRs exits right now by the strategy: what KVM's MSR
    /// bitmap holds for them (the vCPU's bitmap is kept equal to it).
    /// </summary>
    public bool StackMsrsIntercepted => world.Vcpu.LbrEnabled && !world.Vcpu.Strategy.PassThrough;

    /// <summary>The LBR stack MSRs this vCPU has (LBR_SELECT, TOS, FROM/TO and INFO up to the depth).</summary>
    public IReadOnlyList<uint> StackMsrAddresses => stackAddresses;

    public MsrAccessResult GetMsr(MsrRef register, bool hostInitiated, out ulong value)
    {
        Tick();
        world.Guest.CompletePending();
        var access = world.Vcpu.GuestRdmsr(LbrRegister.FromCatalog(register));
        value = access.Value;
        Publish();
        return access.Handled ? access.Result : MsrAccessResult.GeneralProtection;
    }

    public MsrAccessResult SetMsr(MsrRef register, ulong value, bool hostInitiated)
    {
        Tick();
        world.Guest.CompletePending();
        var access = world.Vcpu.GuestWrmsr(LbrRegister.FromCatalog(register), value);
        Publish();
        return access.Handled ? access.Result : MsrAccessResult.GeneralProtection;
    }

    /// <summary>A passed-through stack MSR read goes to the CPU's LBR stack without a VM-exit.</summary>
    public MsrAccessResult PassthroughRead(MsrRef register, out ulong value) => GetMsr(register, hostInitiated: false, out value);

    /// <summary>A passed-through stack MSR write goes to the CPU's LBR stack without a VM-exit.</summary>
    public MsrAccessResult PassthroughWrite(MsrRef register, ulong value) => SetMsr(register, value, hostInitiated: false);

    public void SetCallstackMode(bool enabled)
    {
        Tick();
        if (enabled)
        {
            world.Guest.EnableUserCallstack();
        }
        else
        {
            world.Guest.Disable();
        }

        Publish();
    }

    public void GuestContextSwitch()
    {
        Tick();
        world.Guest.ContextSwitch();
        Publish();
    }

    public void GuestBranches(ulong count, ulong elapsedCycles)
    {
        Tick();
        world.GuestBranches(count, (long)Math.Min(elapsedCycles, long.MaxValue));
        Publish();
    }

    public void HostThreadBranches(ulong count)
    {
        Tick();
        world.HostThreadBranches(count);
        Publish();
    }

    /// <summary>
    /// A CPU-pinned host LBR event outranks the guest's task-pinned LBR event: while it runs the
    /// guest event is not ACTIVE (the host owns the LBR), and it gets the stack back afterwards.
    /// </summary>
    public void SetHostLbrUser(bool active)
    {
        Tick();
        world.Vcpu.SetHostOwnsLbr(active);
        Publish();
    }

    public LbrReadResult ReadStack()
    {
        Tick();
        var verdict = world.Guest.Read();
        Publish();
        if (!world.Vcpu.LbrEnabled)
        {
            return LbrReadResult.Empty;
        }

        return verdict.Polluted ? LbrReadResult.Polluted : LbrReadResult.Clean;
    }

    /// <summary>The handler starts (DEBUGCTL.LBR cleared); it reads the stack at the next <see cref="ReadStack"/> or guest action.</summary>
    public void GuestPmi()
    {
        Tick();
        world.Guest.BeginPmi();
        Publish();
    }

    /// <summary>
    /// The stack never moves on VM transitions in any strategy: it moves with the vCPU thread, never
    /// per entry/exit (Like Xu, "[PATCH v12 00/11] Guest Last Branch Recording Enabling", 2020-06-13). Before an entry the model looks at the clock (a timer may
    /// have expired) and makes sure the MSR bitmap still says what the strategy says (the vCPU
    /// rebuilds its bitmap from the catalog when it attaches the model or its caps change).
    /// </summary>
    public void BeforeVmEntry()
    {
        Tick();
        Publish();
    }

    /// <summary>An exit is a point where time is looked at (the timer strategy's expiry).</summary>
    public void AfterVmExit(VmExitKind kind)
    {
        Tick();
        Publish();
    }

    public void SchedIn()
    {
        Tick();
        world.SchedIn();
        Publish();
    }

    public void SchedOut()
    {
        Tick();
        world.SchedOut();
        Publish();
    }

    /// <summary>The vCPU was halted while the host clock advanced by <paramref name="cycles"/>.</summary>
    public void Idle(ulong cycles)
    {
        Tick();
        Publish();
    }

    public void OnPmiDelivered()
    {
        Tick();
        world.Vcpu.DeliverPmi();
        Publish();
    }

    /// <summary>The VM goes away: the host forgets the saved stack.</summary>
    public void Destroy() => world.Vcpu.DropSavedStack();

    /// <summary>The strategy looks at the host clock, which may have moved since the last hook.</summary>
    private void Tick() => world.Vcpu.AdvanceTime(0);

    /// <summary>Publishes the counters and brings the vCPU's MSR bitmap in line with the strategy.</summary>
    private void Publish()
    {
        SyncIntercepts();
        var metrics = world.Metrics;
        for (int i = 0; i < LbrMetrics.Names.Length; i++)
        {
            string name = LbrMetrics.Names[i];
            long now = metrics.Lookup(name) ?? 0;
            long delta = now - published[i];
            if (delta != 0)
            {
                vcpu.Metrics.Add(name, delta);
                published[i] = now;
            }
        }
    }

    /// <summary>
    /// vmx_passthrough_lbr_msrs / vmx_disable_lbr_msrs_passthrough: the stack MSRs' bitmap entries
    /// follow the strategy's intercept state.
    /// </summary>
    private void SyncIntercepts()
    {
        if (stackAddresses.Length == 0)
        {
            return;
        }

        bool intercept = StackMsrsIntercepted;
        if (vcpu.Intercepts(stackAddresses[0], write: false) == intercept
            && vcpu.Intercepts(stackAddresses[^1], write: true) == intercept)
        {
            return;
        }

        var policy = intercept ? MsrIntercept.ReadWrite : MsrIntercept.None;
        foreach (uint address in stackAddresses)
        {
            vcpu.SetIntercept(address, policy);
        }
    }

    /// <summary>The addresses of every stack MSR a guest with <paramref name="caps"/> has.</summary>
    private static uint[] StackAddresses(in PmuCaps caps)
    {
        var addresses = new List<uint> { MsrLbrSelect.Address, MsrLbrTos.Address };
        for (int n = 0; n < caps.LbrDepth; n++)
        {
            addresses.Add(LbrRegister.FromAddress(caps.LbrDepth, n));
            addresses.Add(LbrRegister.ToAddress(caps.LbrDepth, n));
            if (new LbrRegister(LbrRegisterKind.Info, n).ExistsFor(caps))
            {
                addresses.Add(MsrLbrInfo.AddressOf(n));
            }
        }

        var existing = new List<uint>(addresses.Count);
        foreach (uint address in addresses)
        {
            if (LbrRegister.Of(address, MsrProfile.Upstream).ExistsFor(caps))
            {
                existing.Add(address);
            }
        }

        return [.. existing];
    }
}
