using System;
using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using MsrGen.Registers;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.Kvm;
using MsrGen.Runtime.Mediated;
using MsrGen.Runtime.Mediated.Integration;

namespace MsrGen.Benchmarks.Mediated;

/// <summary>
/// The mediated world switch on the runtime's vCPU: VM-exits and re-entries of a <c>vpmu=mediated</c>
/// vCPU on a sapphire-rapids host, with the guest's PMU state loaded, under each placement, against
/// a bare array update (the baseline, so figures are quoted as ratios). One operation = one VM-exit
/// and its re-entry (the whole exit pipeline, metrics, and whatever put + load the placement does).
/// The sampling guest has six counters counting cycles with interrupts enabled. Target: no
/// allocation per exit. The physical PMU operations per exit of each configuration are printed at set-up.
/// `dotnet run -c Release --project tests/MsrGen.Benchmarks -- --filter '*MediatedSwitch*'`
/// </summary>
[MemoryDiagnoser]
public class MediatedSwitchBenchmarks
{
    private const int ExitsPerOperation = 100;
    private readonly ulong[] _registers = new ulong[16];
    private int _next;
    private Vcpu _runLoopIdle = null!;
    private Vcpu _dirtyIdle = null!;
    private Vcpu _vcpuLoadIdle = null!;
    private Vcpu _exitIdle = null!;
    private Vcpu _runLoopSampling = null!;
    private Vcpu _dirtySampling = null!;
    private Vcpu _exitFastpath = null!;

    [GlobalSetup]
    public void Setup()
    {
        _runLoopIdle = Prepared("run-loop", sampling: false);
        _dirtyIdle = Prepared("dirty-only", sampling: false);
        _vcpuLoadIdle = Prepared("vcpu-load", sampling: false);
        _exitIdle = Prepared("exit", sampling: false);
        _runLoopSampling = Prepared("run-loop", sampling: true);
        _dirtySampling = Prepared("dirty-only", sampling: true);
        _exitFastpath = Prepared("exit", sampling: false);
        foreach (var (name, vcpu) in new[]
        {
            ("run-loop idle", _runLoopIdle), ("dirty-only idle", _dirtyIdle), ("vcpu-load idle", _vcpuLoadIdle),
            ("exit idle", _exitIdle), ("run-loop sampling", _runLoopSampling), ("dirty-only sampling", _dirtySampling),
        })
        {
            var access = State(vcpu).Hardware;
            var before = access.Counts;
            vcpu.GuestExits(0, ExitsPerOperation);
            var ops = access.Counts - before;
            Console.WriteLine($"// {name}: {(double)ops.Total / ExitsPerOperation:0.0} physical PMU operations per slow exit");
        }
    }

    /// <summary>The yardstick: one read-modify-write of a small array per operation (a register file's cost).</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = ExitsPerOperation, Description = "bare array update")]
    public ulong BareArrayUpdate()
    {
        ulong last = 0;
        for (int k = 0; k < ExitsPerOperation; k++)
        {
            int i = _next++ & 15;
            last = _registers[i] += last | 1;
        }

        return last;
    }

    [Benchmark(OperationsPerInvoke = ExitsPerOperation, Description = "run-loop, idle PMU: put + load per slow exit")]
    public long RunLoopIdle() => SlowExits(_runLoopIdle);

    [Benchmark(OperationsPerInvoke = ExitsPerOperation, Description = "dirty-only, idle PMU")]
    public long DirtyOnlyIdle() => SlowExits(_dirtyIdle);

    [Benchmark(OperationsPerInvoke = ExitsPerOperation, Description = "vcpu-load, idle PMU: no switch per exit")]
    public long VcpuLoadIdle() => SlowExits(_vcpuLoadIdle);

    [Benchmark(OperationsPerInvoke = ExitsPerOperation, Description = "exit placement, idle PMU, slow exits")]
    public long ExitIdle() => SlowExits(_exitIdle);

    [Benchmark(OperationsPerInvoke = ExitsPerOperation, Description = "run-loop, sampling guest")]
    public long RunLoopSampling() => SlowExits(_runLoopSampling);

    [Benchmark(OperationsPerInvoke = ExitsPerOperation, Description = "dirty-only, sampling guest")]
    public long DirtyOnlySampling() => SlowExits(_dirtySampling);

    [Benchmark(OperationsPerInvoke = ExitsPerOperation, Description = "exit placement, fastpath exits (switch each time)")]
    public long ExitPlacementFastpath()
    {
        for (int k = 0; k < ExitsPerOperation; k++)
        {
            _exitFastpath.GuestExits(1, 0);
        }

        return _exitFastpath.Metrics.Exits;
    }

    /// <summary>
    /// One exit per call: a run of many in one call takes the closed form (two real exits, the
    /// rest added at once), and these benchmarks time each real switch.
    /// </summary>
    private static long SlowExits(Vcpu vcpu)
    {
        for (int k = 0; k < ExitsPerOperation; k++)
        {
            vcpu.GuestExits(0, 1);
        }

        return vcpu.Metrics.Exits;
    }

    private static MediatedVpmu State(Vcpu vcpu) => ((MediatedRuntimeVpmu)vcpu.Pmu).State;

    private static Vcpu Prepared(string placement, bool sampling)
    {
        var host = new HostMachine(PmuPresets.Get("sapphire-rapids"), new KvmModuleParameters { EnableMediatedPmu = true });
        var request = new VmRequest
        {
            Mode = VpmuMode.Mediated,
            Options = new Dictionary<string, string> { ["placement"] = placement },
        };
        var creation = Vm.Create(host, request);
        var vcpu = creation.Vm?.Vcpus[0] ?? throw new InvalidOperationException(creation.Message);
        if (sampling)
        {
            ulong mask = vcpu.GuestCaps.GpCounterMask;
            for (int i = 0; i < 6; i++)
            {
                vcpu.GuestWrmsr(Ia32Perfevtsel.AddressOf(i), PmuEventSelect.Counting(PmuEventSelect.Events.Cycles, interrupt: true));
                vcpu.GuestWrmsr(Ia32APmc.AddressOf(i), mask - 1_000_000_000);
            }
        }

        vcpu.GuestExits(0, 1);
        return vcpu;
    }
}
