namespace MsrGen.Scenarios;

/// <summary>
/// The limits the front end applies to numbers whose meaning bounds them (docs/scenarios.md,
/// "Limits"). A value outside its range is an error at its token, never clamped.
/// </summary>
public static class ScenarioLimits
{
    /// <summary>vCPUs per VM (<c>vm vcpus=</c>); vCPU n runs on physical CPU n.</summary>
    public const int MaxVcpus = 64;

    /// <summary>Physical CPUs a scenario may name (<c>host perf open cpu=</c>).</summary>
    public const int MaxCpus = 64;

    /// <summary>Architectural PMU versions that exist (CPUID.0AH EAX[7:0]; 0 means no PMU).</summary>
    public const int MaxHostVersion = 6;

    /// <summary>GP counters a host may have: the enable bits 31:0 of IA32_PERF_GLOBAL_CTRL.</summary>
    public const int MaxHostGp = 32;

    /// <summary>Fixed counters a host may have: the enable bits 47:32 of IA32_PERF_GLOBAL_CTRL.</summary>
    public const int MaxHostFixed = 16;

    /// <summary>AMD core counters: CPUID 0x80000022 EBX[3:0].</summary>
    public const int MaxAmdGp = 15;

    /// <summary>AMD counters are 48 bits wide (AMD APM Vol. 2, 13.2.1).</summary>
    public const int AmdCounterWidth = 48;

    /// <summary>LBR stack depth: architectural LBR allows up to 64 entries (CPUID.1CH EAX[7:0]).</summary>
    public const int MaxLbrDepth = 64;

    /// <summary>Diagnostics printed per file; the rest are summarised as "and N more".</summary>
    public const int MaxDiagnosticsPerFile = 100;
}
