namespace MsrGen.Registers;

/// <summary>
/// The capability names of the definition language (<c>when tsx</c>, <c>count gp</c>,
/// <c>n &lt; fixed</c>) evaluated against a <see cref="PmuCaps"/>. Generated code reads the
/// properties directly; this lookup serves tools that only have the name (the CLI, scenario keys).
/// Booleans evaluate to 0 or 1.
/// </summary>
public static class CapabilityNames
{
    public static readonly string[] All =
    {
        "amd", "arch-lbr", "bus-lock-detect", "ds", "fixed", "fixed-width", "fw-writes", "gp", "gp-width",
        "intel", "lbr", "lbr-depth", "lbr-format", "lbr-info", "pdcm", "pebs-baseline", "pebs-format",
        "perf-metrics", "perfctr-core", "perfmon-v2", "poll-control", "pt-host-guest", "pv-lbr-ctrl", "rtm", "tsx", "version",
    };

    public static long? Evaluate(in PmuCaps caps, string name) => name switch
    {
        "intel" => B(caps.IsIntel),
        "amd" => B(caps.IsAmd),
        "version" => caps.Version,
        "gp" => caps.GpCounters,
        "fixed" => caps.FixedCounters,
        "gp-width" => caps.GpWidth,
        "fixed-width" => caps.FixedWidth,
        "lbr-depth" => caps.LbrDepth,
        "pebs-format" => caps.PebsFormat,
        "lbr-format" => caps.LbrFormat,
        "pdcm" => B(caps.Has(PmuFeatures.Pdcm)),
        "tsx" => B(caps.Has(PmuFeatures.Tsx)),
        "rtm" => B(caps.Has(PmuFeatures.Rtm)),
        "perfctr-core" => B(caps.Has(PmuFeatures.PerfctrCore)),
        "perfmon-v2" => B(caps.Has(PmuFeatures.PerfmonV2)),
        "pv-lbr-ctrl" => B(caps.Has(PmuFeatures.PvLbrCtrl)),
        "poll-control" => B(caps.Has(PmuFeatures.PollControl)),
        "pt-host-guest" => B(caps.Has(PmuFeatures.PtHostGuest)),
        "arch-lbr" => B(caps.Has(PmuFeatures.ArchLbr)),
        "ds" => B(caps.Has(PmuFeatures.Ds)),
        "bus-lock-detect" => B(caps.Has(PmuFeatures.BusLockDetect)),
        "fw-writes" => B(caps.FullWidthWrites),
        "pebs-baseline" => B(caps.PebsBaseline),
        "perf-metrics" => B(caps.PerfMetrics),
        "lbr" => B(caps.Lbr),
        "lbr-info" => B(caps.LbrInfo),
        _ => null,
    };

    private static long B(bool value) => value ? 1 : 0;
}
