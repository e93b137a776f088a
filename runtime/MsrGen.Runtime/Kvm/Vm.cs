using System;
using System.Collections.Generic;
using MsrGen.Registers;
using MsrGen.Runtime.HostPerf;
using MsrGen.Runtime.Metrics;

namespace MsrGen.Runtime.Kvm;

/// <summary>The result of creating a VM: the VM, or an errno and a message.</summary>
public sealed record VmCreation(Vm? Vm, PerfError Error, string? Message)
{
    public bool Succeeded => Vm is not null;
}

/// <summary>A VM: its configuration as KVM derived it, its vCPUs, its event filter and metrics.</summary>
public sealed class Vm
{
    private readonly List<Vcpu> _vcpus = new();

    private Vm(HostMachine host, VmConfig config, IVpmuFactory factory, string? lbrStrategy)
    {
        Host = host;
        Config = config;
        Factory = factory;
        LbrStrategy = lbrStrategy;
        Name = config.Request.Name ?? $"vm{host.Vms.Count}";
    }

    public HostMachine Host { get; }
    public VmConfig Config { get; }
    public IVpmuFactory Factory { get; }
    public string Name { get; }
    public VpmuMode Mode => Config.Mode;
    public MsrProfile Profile => Config.Profile;
    public string? LbrStrategy { get; }
    public IReadOnlyList<Vcpu> Vcpus => _vcpus;
    public VmMetrics Metrics { get; } = new();
    public PmuEventFilter? EventFilter { get; private set; }
    public bool Destroyed { get; private set; }

    /// <summary>Design-specific per-VM state (keyed by the design's own type).</summary>
    public Dictionary<Type, object> Extensions { get; } = new();

    /// <summary>KVM_CREATE_VM + CPUID/PERF_CAPABILITIES + KVM_CREATE_VCPU for every vCPU.</summary>
    public static VmCreation Create(HostMachine host, VmRequest request)
    {
        var factory = VpmuRegistry.ForMode(request.Mode);
        if (factory is null)
        {
            return new VmCreation(null, PerfError.Eopnotsupp, $"no vPMU design is available for vpmu={request.Mode.ToString().ToLowerInvariant()}");
        }

        var supported = factory.Supported(host, request);
        string? error = GuestPmuDerivation.TryDerive(host, request, supported, out var config);
        error ??= factory.Validate(host, config);
        if (error is not null)
        {
            return new VmCreation(null, PerfError.Einval, error);
        }

        IGuestLbrModelFactory? lbrFactory = null;
        string? strategy = request.Lbr;
        if (strategy is null)
        {
            foreach (var candidate in VpmuRegistry.LbrModels)
            {
                strategy ??= candidate.DefaultStrategy(config);
            }
        }

        if (strategy is not null)
        {
            lbrFactory = VpmuRegistry.ForLbrStrategy(strategy);
            if (lbrFactory is null && request.Lbr is not null)
            {
                return new VmCreation(null, PerfError.Eopnotsupp, $"no guest LBR model implements lbr={strategy}");
            }

            error = lbrFactory?.Validate(host, config, strategy);
            if (error is not null)
            {
                return new VmCreation(null, PerfError.Einval, error);
            }
        }

        var vm = new Vm(host, config, factory, lbrFactory is null ? null : strategy);
        for (int i = 0; i < Math.Max(request.Vcpus, 1); i++)
        {
            var vcpu = new Vcpu(vm, i, host.Cpu(i));
            var refused = factory.TryCreate(vcpu, out var vpmu);
            if (refused != PerfError.None || vpmu is null)
            {
                vm.Destroy();
                return new VmCreation(null, refused == PerfError.None ? PerfError.Einval : refused, $"the vCPU's {request.Mode.ToString().ToLowerInvariant()} PMU could not be created ({refused})");
            }

            vcpu.Attach(vpmu, lbrFactory?.Create(vcpu, strategy!));
            vm._vcpus.Add(vcpu);
        }

        host.Add(vm);
        return new VmCreation(vm, PerfError.None, null);
    }

    /// <summary>
    /// KVM_SET_PMU_EVENT_FILTER (kvm_vm_ioctl_set_pmu_event_filter): on success every PMC of every
    /// vCPU is marked for reprogramming and KVM_REQ_PMU is raised on all vCPUs with a kick, so the
    /// new lists and fixed bitmap apply to counters that are already running from the next entry:
    /// a newly denied event stops, a newly allowed one resumes, and the count so far is kept.
    /// </summary>
    public PerfError SetEventFilter(PmuFilterAction action, IReadOnlyList<ulong> events, ulong fixedBitmap, bool masked)
    {
        var error = PmuEventFilter.TryCreate(action, events, fixedBitmap, masked, Config.GuestCaps.Vendor, out var filter);
        if (error != PerfError.None)
        {
            return error;
        }

        EventFilter = filter;
        foreach (var vcpu in _vcpus)
        {
            vcpu.Pmu.OnEventFilterChanged();
            vcpu.Kick();
        }

        return PerfError.None;
    }

    /// <summary>Destroys the VM: vCPUs leave the guest and release every host resource.</summary>
    public void Destroy()
    {
        if (Destroyed)
        {
            return;
        }

        Destroyed = true;
        foreach (var vcpu in _vcpus)
        {
            using var scope = vcpu.Attribute();
            vcpu.ExitToUserspace();
            vcpu.Lbr?.Destroy();
            vcpu.Pmu.Destroy();
        }

        Host.Remove(this);
    }
}
