using BenchmarkDotNet.Attributes;
using MsrGen.Registers;

namespace MsrGen.Benchmarks.Runtime;

/// <summary>
/// How much of a mediated guest's intercepted MSR access is the world switch. The same accesses
/// as <see cref="GuestMsrAccessBenchmarks"/> on two mediated guests that differ only in where the
/// switch is placed: <c>run-loop</c> (Linux 7.0: arch/x86/kvm/x86.c vcpu_enter_guest() calls
/// kvm_mediated_pmu_load() before the inner run loop and kvm_mediated_pmu_put() after it, so every
/// slow exit puts and loads) and <c>vcpu-load</c> (the guest's state stays loaded until the vCPU
/// is scheduled out or returns to userspace, so an exit does no switch). Everything else (exit,
/// dispatch, semantics, the emulated instruction, metrics, re-entry) is the same work, so the
/// difference between the two rows is the switch's share.
/// `dotnet run -c Release --project tests/MsrGen.Benchmarks -- --filter '*MediatedAccessSplit*' --job short`
/// </summary>
[MemoryDiagnoser]
public class MediatedAccessSplitBenchmarks
{
    private readonly ArrayUpdateBaseline _baseline = new();
    private BenchmarkGuest _runLoop = null!;
    private BenchmarkGuest _vcpuLoad = null!;

    [Params("sapphire-rapids", "zen4")]
    public string Host { get; set; } = "sapphire-rapids";

    [GlobalSetup]
    public void Setup()
    {
        _runLoop = BenchmarkGuest.Create(Host, VpmuMode.Mediated, "run-loop");
        _vcpuLoad = BenchmarkGuest.Create(Host, VpmuMode.Mediated, "vcpu-load");
        _runLoop.Program(counters: 1, sampling: false);
        _vcpuLoad.Program(counters: 1, sampling: false);
    }

    /// <summary>The baseline (<see cref="ArrayUpdateBaseline"/>): one array read-modify-write per operation.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = ArrayUpdateBaseline.Updates)]
    public ulong BareArrayUpdate() => _baseline.Run();

    /// <summary>Intercepted RDMSR of an event select with a put and a load around the exit.</summary>
    [Benchmark]
    public ulong RunLoopRdmsrEventSelect() => _runLoop.Vcpu.GuestRdmsr(_runLoop.EventSelect(0)).Value;

    /// <summary>The same RDMSR with the guest's state left loaded across the exit.</summary>
    [Benchmark]
    public ulong VcpuLoadRdmsrEventSelect() => _vcpuLoad.Vcpu.GuestRdmsr(_vcpuLoad.EventSelect(0)).Value;

    /// <summary>Intercepted WRMSR of an unchanged event select with a put and a load.</summary>
    [Benchmark]
    public bool RunLoopWrmsrSameValue() => _runLoop.Vcpu.GuestWrmsr(_runLoop.EventSelect(1), 0).Faulted;

    /// <summary>The same WRMSR with the state left loaded.</summary>
    [Benchmark]
    public bool VcpuLoadWrmsrSameValue() => _vcpuLoad.Vcpu.GuestWrmsr(_vcpuLoad.EventSelect(1), 0).Faulted;

    /// <summary>An RDMSR of an unknown MSR (#GP injected) with a put and a load.</summary>
    [Benchmark]
    public bool RunLoopRdmsrUnknown() => _runLoop.Vcpu.GuestRdmsr(0x10).Faulted;

    /// <summary>The same #GP with the state left loaded: the exit pipeline alone.</summary>
    [Benchmark]
    public bool VcpuLoadRdmsrUnknown() => _vcpuLoad.Vcpu.GuestRdmsr(0x10).Faulted;
}
