using MsrGen.Registers;

namespace MsrGen.Generator.Tests.Semantics;

/// <summary>vCPU capabilities for the semantics tests, with the defaults of a recent Intel or AMD part.</summary>
internal static class Caps
{
    public static PmuCaps Intel(int gp = 4, int fixedCounters = 3, int version = 2, ulong perfCapabilities = 0,
        PmuFeatures features = PmuFeatures.Pdcm, int gpWidth = 48, int fixedWidth = 48, int lbrDepth = 0) =>
        new(CpuVendor.Intel, version, gp, fixedCounters, gpWidth, fixedWidth, perfCapabilities, lbrDepth, features);

    public static PmuCaps Amd(int gp = 6, int version = 2, PmuFeatures features = PmuFeatures.PerfctrCore | PmuFeatures.PerfmonV2) =>
        new(CpuVendor.Amd, version, gp, 0, 48, 0, 0, 0, features);

    /// <summary>Linux's GENMASK_ULL(high, low); empty when high &lt; low (no counters).</summary>
    public static ulong GenMask(int high, int low) => high < low ? 0 : (ulong.MaxValue >> (63 - high)) & (ulong.MaxValue << low);

    /// <summary>PERF_CAPABILITIES with a PEBS format (bits 11:8) and, optionally, PEBS_BASELINE (bit 14).</summary>
    public static ulong PebsCapabilities(int format, bool baseline) =>
        ((ulong)format << 8) | (baseline ? PmuCaps.PerfCapPebsBaseline : 0);
}
