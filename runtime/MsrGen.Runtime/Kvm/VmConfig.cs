using System.Collections.Generic;
using MsrGen.Registers;

namespace MsrGen.Runtime.Kvm;

/// <summary>What KVM reports as supported (kvm_pmu_cap plus kvm_caps.supported_perf_cap).</summary>
public sealed record KvmPmuCapabilities(int Version, int GpCounters, int FixedCounters, int GpWidth, int FixedWidth, ulong SupportedPerfCapabilities);

/// <summary>
/// A <c>vm</c> line as userspace means it: the guest CPUID / PERF_CAPABILITIES it sets (null:
/// take what KVM reports as supported) and the design options. Unknown-to-the-core options stay
/// in <see cref="Options"/> for the design that reads them (placement=, lbr-window=, ...).
/// </summary>
public sealed record VmRequest
{
    public VpmuMode Mode { get; init; } = VpmuMode.Emulated;
    public string? Name { get; init; }
    public int Vcpus { get; init; } = 1;
    public int? Version { get; init; }
    public int? GpCounters { get; init; }
    public int? FixedCounters { get; init; }
    public int? GpWidth { get; init; }
    public int? FixedWidth { get; init; }
    public ulong? PerfCapabilities { get; init; }
    public bool? Pdcm { get; init; }
    public bool? Tsx { get; init; }
    public int? EventsMaskLength { get; init; }
    public ulong? EventsUnavailable { get; init; }
    public bool? PerfctrCore { get; init; }
    public bool GroupedMetrics { get; init; }
    public bool PvLbr { get; init; }
    public int? LbrDepth { get; init; }
    public string? Lbr { get; init; }
    public MsrProfile Profile { get; init; } = MsrProfile.Upstream;
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();
}

/// <summary>A VM as KVM built it: the request and the guest PMU that KVM derived from it.</summary>
public sealed record VmConfig(VmRequest Request, PmuCaps GuestCaps, KvmPmuCapabilities Supported)
{
    public VpmuMode Mode => Request.Mode;
    public MsrProfile Profile => Request.Profile;

    /// <summary>CPUID.0AH EAX[31:24] after KVM's clamp, and the events the guest is told are unavailable.</summary>
    public int EventsMaskLength { get; init; }
    public ulong AvailableEventTypes { get; init; }

    /// <summary>The option of the <c>vm</c> line, or null.</summary>
    public string? Option(string key) => Request.Options.TryGetValue(key, out var value) ? value : null;
}
