using MsrGen.Registers;

namespace MsrGen.Runtime.Mediated.Comparison;

/// <summary>A modeled number next to the published one it should reproduce.</summary>
public sealed record AnchorCheck(string Row, string Quantity, double Modeled, double PublishedLow, double PublishedHigh)
{
    /// <summary>Modeled / middle of the published range.</summary>
    public double Ratio => Modeled / ((PublishedLow + PublishedHigh) / 2);
}

/// <summary>
/// The microbenchmarks behind cost-anchors B1-B4 rerun on the model: a CPUID exit on an idle PMU
/// with the mediated PMU switched at the run loop, with and without the counter-write elision.
/// </summary>
public static class AnchorChecks
{
    /// <summary>Modeled cycles of one slow (CPUID-like) exit with the run-loop switch, idle PMU.</summary>
    public static double CpuidExitCycles(PmuCaps host, bool elide, MediatedCostTable? costs = null)
    {
        var table = costs ?? MediatedCostTable.Default;
        var cpu = new RegisterFilePmu(host);
        var access = new PmuAccess(cpu);
        var guest = MediatedPmuSupport.DeriveGuest(host, host, mediated: true);
        var perf = new HostPerfCpu(access);
        var pmu = new MediatedVpmu(guest, access, perf, new MediatedIntercepts(guest, host, true, false)) { ElideMatchingCounterWrites = elide };
        var vcpu = new MediatedVcpu(pmu, cpu, perf, SwitchPlacement.RunLoop, table);
        vcpu.GuestExits(1, ExitKind.Slow);
        ulong cyclesBefore = vcpu.Cycles;
        const int Exits = 1000;
        vcpu.GuestExits(Exits, ExitKind.Slow);
        return (double)(vcpu.Cycles - cyclesBefore) / Exits;
    }

    public static System.Collections.Generic.IReadOnlyList<AnchorCheck> Run(MediatedCostTable? costs = null)
    {
        var table = costs ?? MediatedCostTable.Default;
        var emr = PlacementComparison.DefaultHost;
        double after = CpuidExitCycles(emr, elide: true, table);
        double before = CpuidExitCycles(emr, elide: false, table);
        return new[]
        {
            new AnchorCheck("B1", "CPUID exit with mediated load/put, EMR, after elision (cycles)", after, 3000, 3000),
            new AnchorCheck("B1", "CPUID exit with mediated load/put, EMR, before elision (cycles)", before, 4000, 4000),
            new AnchorCheck("B1", "latency reduction from eliding counter WRMSRs (%)", 100 * (before - after) / before, 25, 25),
            new AnchorCheck("B2", "saving per elided counter WRMSR net of RDPMC (cycles)", (before - after) / (emr.GpCounters + emr.FixedCounters), 83, 125),
            new AnchorCheck("B4", "mediated switch overhead on a non-fastpath exit (cycles)", after - table.SlowExit, 2000, 3000),
        };
    }
}
