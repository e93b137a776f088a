using MsrGen.Registers;
using MsrGen.Runtime.HostPerf;
using MsrGen.Runtime.Kvm;

namespace MsrGen.Runtime.Mediated.Integration;

/// <summary>
/// Plugs the mediated vPMU into the runtime for <c>vm vpmu=mediated</c> (found by the registry).
/// Reads the VM's <c>placement=</c> (default <c>run-loop</c>), <c>host-callback=</c> (default
/// <c>defer</c>) and <c>irqchip=</c> options.
/// </summary>
public sealed class MediatedVpmuFactory : IVpmuFactory
{
    public VpmuMode Mode => VpmuMode.Mediated;

    /// <summary>What KVM offers with the mediated PMU: the legacy counts and widths, FW_WRITES, no PEBS, no LBR.</summary>
    public KvmPmuCapabilities Supported(HostMachine host, VmRequest request)
    {
        var legacy = GuestPmuDerivation.LegacySupported(host, request);
        return legacy with { SupportedPerfCapabilities = legacy.SupportedPerfCapabilities & PmuCaps.PerfCapFullWidthWrites };
    }

    public string? Validate(HostMachine host, VmConfig config)
    {
        var enablement = MediatedPmuSupport.Evaluate(host.Caps, host.Parameters);
        if (enablement != MediatedEnablement.Enabled)
        {
            return $"the mediated vPMU is not available: {Describe(enablement)}";
        }

        if (!TryParsePlacement(config.Option("placement"), out _))
        {
            return "placement must be exit, run-loop, vcpu-load, owned or dirty-only";
        }

        return TryParseHostCallback(config.Option("host-callback"), out _) ? null
            : "host-callback must be on, defer or off";
    }

    public PerfError TryCreate(Vcpu vcpu, out IVpmu? vpmu)
    {
        var vm = vcpu.Vm;
        if (!vm.Extensions.TryGetValue(typeof(MediatedVpmuVmState), out var stateObject))
        {
            var hook = MediatedAccountingHook.For(vm.Host);
            bool irqchip = vm.Config.Option("irqchip") is not "off";
            stateObject = new MediatedVpmuVmState(new KvmMediatedVm(hook.Accounting, mediatedEnabled: true, irqchip, vm.Config.GuestCaps));
            vm.Extensions[typeof(MediatedVpmuVmState)] = stateObject;
        }

        var state = (MediatedVpmuVmState)stateObject;
        switch (state.Kvm.CreateVcpu())
        {
            case VcpuCreateResult.Busy:
                vpmu = null;
                return PerfError.Ebusy;
            case VcpuCreateResult.NoPmu:
                vpmu = NoVpmu.Instance;
                return PerfError.None;
        }

        TryParsePlacement(vm.Config.Option("placement"), out var placement);
        TryParseHostCallback(vm.Config.Option("host-callback"), out var handoff);
        state.VcpuCreated();
        vpmu = new MediatedRuntimeVpmu(vcpu, state, placement, handoff);
        return PerfError.None;
    }

    /// <summary>The placement keyword of a <c>vm</c> line; a missing one is <c>run-loop</c> (Linux 7.0).</summary>
    public static bool TryParsePlacement(string? text, out SwitchPlacement placement)
    {
        switch (text)
        {
            case null or "run-loop":
                placement = SwitchPlacement.RunLoop;
                return true;
            case "exit":
                placement = SwitchPlacement.Exit;
                return true;
            case "vcpu-load":
                placement = SwitchPlacement.VcpuLoad;
                return true;
            case "owned":
                placement = SwitchPlacement.Owned;
                return true;
            case "dirty-only":
                placement = SwitchPlacement.DirtyOnly;
                return true;
            default:
                placement = SwitchPlacement.RunLoop;
                return false;
        }
    }

    /// <summary>
    /// The <c>host-callback</c> keyword of a <c>vm</c> line: <c>on</c> is the perf→KVM
    /// callback, <c>off</c> no guard at all, and a missing one or <c>defer</c> Linux 7.0's deferral.
    /// </summary>
    public static bool TryParseHostCallback(string? text, out GuestPmuHandoff handoff)
    {
        switch (text)
        {
            case null or "defer":
                handoff = GuestPmuHandoff.Defer;
                return true;
            case "on":
                handoff = GuestPmuHandoff.Callback;
                return true;
            case "off":
                handoff = GuestPmuHandoff.None;
                return true;
            default:
                handoff = GuestPmuHandoff.Defer;
                return false;
        }
    }

    private static string Describe(MediatedEnablement reason) => reason switch
    {
        MediatedEnablement.ParameterOff => "enable_mediated_pmu is off (host mediated=on)",
        MediatedEnablement.PmuDisabled => "enable_pmu is off",
        MediatedEnablement.PerfLacksMediatedCapability => "host perf lacks PERF_PMU_CAP_MEDIATED_VPMU",
        MediatedEnablement.IntelNeedsVersion4 => "Intel needs PMU version 4",
        MediatedEnablement.IntelNeedsFullWidthWrites => "Intel needs full-width counter writes",
        MediatedEnablement.IntelNeedsVmEntryLoadGlobalCtrl => "Intel needs the VM-entry load PERF_GLOBAL_CTRL control",
        MediatedEnablement.AmdNeedsPerfMonV2 => "AMD needs PerfMonV2",
        _ => reason.ToString(),
    };
}
