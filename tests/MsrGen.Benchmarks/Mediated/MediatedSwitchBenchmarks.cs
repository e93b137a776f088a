using System;
using BenchmarkDotNet.Attributes;
using MsrGen.Registers;
using MsrGen.Runtime.Mediated;
using MsrGen.Runtime.Mediated.Comparison;

namespace MsrGen.Benchmarks.Mediated;

/// <summary>
/// Simulated mediated world switches per second and allocations per switch (target: zero). One
/// operation = one slow VM-exit and the re-entry, i.e. one put + one load under <c>run-loop</c>
/// (the baseline) and whatever <c>dirty-only</c> moves instead, on an idle-PMU guest and on a
/// sampling guest (six counters counting instructions with interrupts enabled).
/// `dotnet run -c Release --project tests/MsrGen.Benchmarks -- --filter '*MediatedSwitch*'`
/// The physical MSR operations per exit of each configuration are printed at set-up.
/// </summary>
[MemoryDiagnoser]
public class MediatedSwitchBenchmarks
{
    private const int ExitsPerOperation = 100;
    private MediatedVcpu runLoopIdle = null!;
    private MediatedVcpu dirtyIdle = null!;
    private MediatedVcpu runLoopSampling = null!;
    private MediatedVcpu dirtySampling = null!;
    private MediatedVcpu exitPlacementFastpath = null!;

    [GlobalSetup]
    public void Setup()
    {
        runLoopIdle = Prepared(SwitchPlacement.RunLoop, sampling: false);
        dirtyIdle = Prepared(SwitchPlacement.DirtyOnly, sampling: false);
        runLoopSampling = Prepared(SwitchPlacement.RunLoop, sampling: true);
        dirtySampling = Prepared(SwitchPlacement.DirtyOnly, sampling: true);
        exitPlacementFastpath = Prepared(SwitchPlacement.Exit, sampling: false);
        foreach (var (name, vcpu) in new[] { ("run-loop idle", runLoopIdle), ("dirty-only idle", dirtyIdle), ("run-loop sampling", runLoopSampling), ("dirty-only sampling", dirtySampling) })
        {
            var before = vcpu.Pmu.Hardware.Counts;
            vcpu.GuestExits(ExitsPerOperation, ExitKind.Slow);
            var ops = vcpu.Pmu.Hardware.Counts - before;
            Console.WriteLine($"// {name}: {(double)ops.Total / ExitsPerOperation:0.0} physical PMU operations per slow exit");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = ExitsPerOperation, Description = "run-loop, idle PMU: put + load per slow exit")]
    public long RunLoopIdle() => Exits(runLoopIdle);

    [Benchmark(OperationsPerInvoke = ExitsPerOperation, Description = "dirty-only, idle PMU")]
    public long DirtyOnlyIdle() => Exits(dirtyIdle);

    [Benchmark(OperationsPerInvoke = ExitsPerOperation, Description = "run-loop, sampling guest")]
    public long RunLoopSampling() => Exits(runLoopSampling);

    [Benchmark(OperationsPerInvoke = ExitsPerOperation, Description = "dirty-only, sampling guest")]
    public long DirtyOnlySampling() => Exits(dirtySampling);

    [Benchmark(OperationsPerInvoke = ExitsPerOperation, Description = "exit placement, fastpath exits (switch each time)")]
    public long ExitPlacementFastpath()
    {
        exitPlacementFastpath.GuestExits(ExitsPerOperation, ExitKind.Fastpath);
        return exitPlacementFastpath.Exits;
    }

    private static long Exits(MediatedVcpu vcpu)
    {
        vcpu.GuestExits(ExitsPerOperation, ExitKind.Slow);
        return vcpu.Exits;
    }

    private static MediatedVcpu Prepared(SwitchPlacement placement, bool sampling)
    {
        var host = PlacementComparison.DefaultHost;
        var cpu = new RegisterFilePmu(host);
        var access = new PmuAccess(cpu);
        var guest = MediatedPmuSupport.DeriveGuest(host, host, mediated: true);
        var perf = new HostPerfCpu(access);
        var pmu = new MediatedVpmu(guest, access, perf, new MediatedIntercepts(guest, host, mediated: true, vmwareBackdoor: false));
        var vcpu = new MediatedVcpu(pmu, cpu, perf, placement);
        if (sampling)
        {
            for (int i = 0; i < 6; i++)
            {
                vcpu.GuestWrmsr(Ia32Perfevtsel.AddressOf(i), PmuEventSelect.Counting(PmuEventSelect.Events.Cycles, interrupt: true));
                vcpu.GuestWrmsr(Ia32APmc.AddressOf(i), guest.GpCounterMask - 1_000_000_000);
            }
        }

        vcpu.GuestExits(1, ExitKind.Slow);
        return vcpu;
    }
}
