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
/// the vCPU's physical CPU (shared with every vCPU and host thread on that CPU). The model keeps its
/// own clock in cycles (time advances with branches and <c>idle</c>). Its counters are published
/// to the VM's metrics as <c>lbr.*</c>.
/// </summary>
public sealed class KvmGuestLbrModel : IGuestLbrModel
{
    private readonly Vcpu vcpu;
    private readonly LbrWorld world;
    private readonly long[] published = new long[LbrMetrics.Names.Length];

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

        world = new LbrWorld(HardwareOf(vcpu), vcpu.GuestCaps, options);
    }

    /// <summary>The model's world (tests and reports read its metrics and hardware).</summary>
    public LbrWorld World => world;

    public bool Claims(MsrRef register) => LbrRegister.FromCatalog(register).Kind != LbrRegisterKind.Unrelated;

    public MsrAccessResult GetMsr(MsrRef register, bool hostInitiated, out ulong value)
    {
        world.Guest.CompletePending();
        var access = world.Vcpu.GuestRdmsr(register.Address);
        value = access.Value;
        Publish();
        return access.Handled ? access.Result : MsrAccessResult.GeneralProtection;
    }

    public MsrAccessResult SetMsr(MsrRef register, ulong value, bool hostInitiated)
    {
        world.Guest.CompletePending();
        var access = world.Vcpu.GuestWrmsr(register.Address, value);
        Publish();
        return access.Handled ? access.Result : MsrAccessResult.GeneralProtection;
    }

    public void SetCallstackMode(bool enabled)
    {
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
        world.Guest.ContextSwitch();
        Publish();
    }

    public void GuestBranches(ulong count)
    {
        world.GuestBranches(count);
        Publish();
    }

    public void HostThreadBranches(ulong count)
    {
        world.HostThreadBranches(count);
        Publish();
    }

    public LbrReadResult ReadStack()
    {
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
        world.Guest.BeginPmi();
        Publish();
    }

    /// <summary>
    /// Nothing happens to the LBR state on VM transitions in any strategy: the stack moves with the
    /// vCPU thread, never per entry/exit (cost-anchors L3).
    /// </summary>
    public void BeforeVmEntry()
    {
    }

    /// <inheritdoc cref="BeforeVmEntry"/>
    public void AfterVmExit(VmExitKind kind)
    {
    }

    public void SchedIn()
    {
        world.SchedIn();
        Publish();
    }

    public void SchedOut()
    {
        world.SchedOut();
        Publish();
    }

    public void Idle(ulong cycles)
    {
        world.Idle((long)Math.Min(cycles, long.MaxValue));
        Publish();
    }

    public void OnPmiDelivered()
    {
        world.Vcpu.DeliverPmi();
        Publish();
    }

    /// <summary>The VM goes away: the host forgets the saved stack.</summary>
    public void Destroy() => world.Vcpu.DropSavedStack();

    private void Publish()
    {
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

    private static LbrStack HardwareOf(Vcpu vcpu)
    {
        var host = vcpu.Host;
        if (!host.Extensions.TryGetValue(typeof(LbrHostCpus), out object? found) || found is not LbrHostCpus cpus)
        {
            cpus = new LbrHostCpus(host.Caps);
            host.Extensions[typeof(LbrHostCpus)] = cpus;
        }

        return cpus.Of(vcpu.Cpu.Index);
    }

    /// <summary>The LBR stack of each physical CPU of one host.</summary>
    private sealed class LbrHostCpus(PmuCaps caps)
    {
        private readonly Dictionary<int, LbrStack> stacks = new();

        public LbrStack Of(int cpu)
        {
            if (!stacks.TryGetValue(cpu, out var stack))
            {
                stack = new LbrStack(caps);
                stacks[cpu] = stack;
            }

            return stack;
        }
    }
}
