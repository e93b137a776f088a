using System;
using System.Collections.Generic;
using System.Runtime.Intrinsics.X86;
using MsrGen.Registers;

namespace MsrGen.Runtime.Hardware;

/// <summary>A physical CPU model: its PMU capabilities and what else a preset says about the part.</summary>
public sealed record HostCpuModel(string Name, PmuCaps Caps, bool LbrCallStack, bool PebsPdist, bool PebsPdir, string Source)
{
    /// <summary>Set when the model is a fallback (the <c>native</c> preset on a machine without the leaves).</summary>
    public string? Warning { get; init; }
}

/// <summary>
/// Capabilities of real CPUs, each with the sources of its numbers. <c>native</c> reads this
/// machine's CPUID leaves 0xA / 0x80000022 and falls back to <c>intel-v2</c> with a warning.
/// </summary>
public static class PmuPresets
{
    public const string Default = "sapphire-rapids";

    // PERF_CAPABILITIES bits (SDM Vol. 4, IA32_PERF_CAPABILITIES): LBR_FMT 5:0, PEBS_TRAP 6,
    // PEBS_ARCH_REG 7, PEBS_FORMAT 11:8, SMM_FREEZE 12, FW_WRITES 13, PEBS_BASELINE 14, PERF_METRICS 15.
    private const ulong PebsTrap = 1UL << 6, PebsArchReg = 1UL << 7, SmmFreeze = 1UL << 12;

    public static IReadOnlyList<string> Names { get; } =
        ["intel-v2", "skylake-server", "icelake-server", "sapphire-rapids", "zen4", "native"];

    public static bool TryGet(string name, out HostCpuModel model)
    {
        model = name.ToLowerInvariant() switch
        {
            // A generic architectural PMU v2 part as the scenario contract defines it (4 GP, 3 fixed,
            // 48-bit); SDM Vol. 3B 20.2.2 for what v2 adds (fixed counters, global control/status).
            "intel-v2" => new("intel-v2", new PmuCaps(CpuVendor.Intel, 2, 4, 3, 48, 48, 0, 4, PmuFeatures.Pdcm | PmuFeatures.Ds), false, false, false,
                "SDM Vol. 3B 20.2.2 (architectural PMU version 2)"),
            // Skylake-SP: PMU v4, 4 GP per thread with HT (8 without), 3 fixed, 48-bit; 32-entry LBR with
            // LBR_INFO (format 5); PEBS format 3; FW_WRITES. Linux arch/x86/events/intel/core.c (skl), SDM Vol. 4 table 2-2x.
            "skylake-server" => new("skylake-server", new PmuCaps(CpuVendor.Intel, 4, 4, 3, 48, 48,
                0x5 | PebsTrap | PebsArchReg | (3UL << 8) | SmmFreeze | PmuCaps.PerfCapFullWidthWrites, 32,
                PmuFeatures.Pdcm | PmuFeatures.Ds | PmuFeatures.Tsx | PmuFeatures.Rtm), true, false, false,
                "SDM Vol. 3B 20.3.8 (Skylake); Linux events/intel/core.c intel_pmu_init (SKL)"),
            // Ice Lake-SP: PMU v5, 8 GP, 4 fixed (FIXED_CTR3 = TOPDOWN.SLOTS), 48-bit; PEBS format 4 with
            // baseline; PERF_METRICS; 32-entry LBR format 5. Linux events/intel/core.c (icl), SDM Vol. 3B 21.3.9.
            "icelake-server" => new("icelake-server", new PmuCaps(CpuVendor.Intel, 5, 8, 4, 48, 48,
                0x5 | PebsTrap | PebsArchReg | (4UL << 8) | SmmFreeze | PmuCaps.PerfCapFullWidthWrites | PmuCaps.PerfCapPebsBaseline | PmuCaps.PerfCapPerfMetrics, 32,
                PmuFeatures.Pdcm | PmuFeatures.Ds | PmuFeatures.Tsx | PmuFeatures.Rtm), true, false, true,
                "SDM Vol. 3B 21.3.9 (Ice Lake); Linux events/intel/core.c intel_pmu_init (ICL); KVM pmu_intel.c PDIR on ICX"),
            // Sapphire Rapids: PMU v5, 8 GP, 4 fixed, 48-bit; PEBS format 5 with baseline; PERF_METRICS;
            // architectural LBR (depth 32, LBR_FMT reads 0x3f). Linux events/intel/core.c (spr), KVM pmu_intel.c (PDIST).
            "sapphire-rapids" => new("sapphire-rapids", new PmuCaps(CpuVendor.Intel, 5, 8, 4, 48, 48,
                0x3F | PebsTrap | PebsArchReg | (5UL << 8) | SmmFreeze | PmuCaps.PerfCapFullWidthWrites | PmuCaps.PerfCapPebsBaseline | PmuCaps.PerfCapPerfMetrics, 32,
                PmuFeatures.Pdcm | PmuFeatures.Ds | PmuFeatures.Tsx | PmuFeatures.Rtm | PmuFeatures.ArchLbr), true, true, true,
                "SDM Vol. 3B 21.3.10 (Sapphire Rapids), Vol. 3B ch. 19 (arch LBR); Linux events/intel/core.c (SPR)"),
            // Zen 4: PerfMonV2 (global control/status), 6 core counters (PERFCTR_CORE), 48-bit; LbrExtV2 with 16 entries.
            // AMD PPR for family 19h model 11h; Linux events/amd/core.c (amd_core_pmu_init), events/amd/lbr.c.
            "zen4" => new("zen4", new PmuCaps(CpuVendor.Amd, 2, 6, 0, 48, 0, 0, 16,
                PmuFeatures.PerfctrCore | PmuFeatures.PerfmonV2), false, false, false,
                "AMD PPR family 19h; Linux events/amd/core.c (PerfMonV2), events/amd/lbr.c (LbrExtV2)"),
            "native" => Native(),
            _ => null!,
        };
        return model is not null;
    }

    public static HostCpuModel Get(string name) =>
        TryGet(name, out var model) ? model : throw new ArgumentException($"unknown preset '{name}'", nameof(name));

    /// <summary>This machine's PMU from CPUID; <c>intel-v2</c> with a warning when the leaves are missing.</summary>
    public static HostCpuModel Native()
    {
        var fallback = Get("intel-v2");
        if (!X86Base.IsSupported)
        {
            return fallback with { Warning = "native: this machine is not x86, using intel-v2" };
        }

        var (maxLeaf, vendorB, _, _) = X86Base.CpuId(0, 0);
        bool amd = vendorB == 0x68747541; // "Auth"
        if (amd)
        {
            var (maxExt, _, _, _) = X86Base.CpuId(unchecked((int)0x80000000), 0);
            var (_, _, ecx81, _) = X86Base.CpuId(unchecked((int)0x80000001), 0);
            bool core = (ecx81 & (1 << 23)) != 0;
            bool v2 = false;
            int gp = core ? 6 : 4;
            if ((uint)maxExt >= 0x80000022)
            {
                var (eax, ebx, _, _) = X86Base.CpuId(unchecked((int)0x80000022), 0);
                v2 = (eax & 1) != 0;
                gp = v2 ? ebx & 0xF : gp;
            }

            if (gp == 0)
            {
                return fallback with { Warning = "native: CPUID 0x80000022 reports no core counters, using intel-v2" };
            }

            var features = (core ? PmuFeatures.PerfctrCore : 0) | (v2 ? PmuFeatures.PerfmonV2 : 0);
            return new HostCpuModel("native", new PmuCaps(CpuVendor.Amd, v2 ? 2 : 1, gp, 0, 48, 0, 0, 0, features), false, false, false, "CPUID 0x80000001 / 0x80000022");
        }

        if (maxLeaf < 0xA)
        {
            return fallback with { Warning = "native: CPUID leaf 0xA is missing, using intel-v2" };
        }

        var (a, _, _, d) = X86Base.CpuId(0xA, 0);
        int version = a & 0xFF;
        if (version == 0)
        {
            return fallback with { Warning = "native: CPUID leaf 0xA reports no PMU (a VM without vPMU?), using intel-v2" };
        }

        var (_, _, ecx1, _) = X86Base.CpuId(1, 0);
        var intelFeatures = (ecx1 & (1 << 15)) != 0 ? PmuFeatures.Pdcm : PmuFeatures.None;
        var caps = new PmuCaps(CpuVendor.Intel, version, (a >> 8) & 0xFF, version > 1 ? d & 0x1F : 0, (a >> 16) & 0xFF,
            version > 1 ? (d >> 5) & 0xFF : 0, 0, 0, intelFeatures);
        // PERF_CAPABILITIES needs RDMSR (ring 0); a user process cannot read it, so it stays 0.
        return new HostCpuModel("native", caps, false, false, false, "CPUID 0xA");
    }
}
