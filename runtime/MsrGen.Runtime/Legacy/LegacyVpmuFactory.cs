using MsrGen.Registers;
using MsrGen.Runtime.HostPerf;
using MsrGen.Runtime.Kvm;

namespace MsrGen.Runtime.Legacy;

/// <summary>The perf-emulated vPMU KVM has shipped since 2011 (vpmu=emulated).</summary>
public sealed class LegacyVpmuFactory : IVpmuFactory
{
    public VpmuMode Mode => VpmuMode.Emulated;

    public KvmPmuCapabilities Supported(HostMachine host, VmRequest request) => GuestPmuDerivation.LegacySupported(host, request);

    public string? Validate(HostMachine host, VmConfig config) =>
        config.Request.GroupedMetrics && !host.Caps.PerfMetrics
            ? "grouped-metrics=on needs a host with PERF_METRICS (Ice Lake or later)"
            : null;

    public PerfError TryCreate(Vcpu vcpu, out IVpmu? vpmu)
    {
        vpmu = new LegacyVpmu(vcpu);
        return PerfError.None;
    }
}
