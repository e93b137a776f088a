using BenchmarkDotNet.Attributes;
using MsrGen.Registers;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.Kvm;

namespace MsrGen.Benchmarks.Runtime;

/// <summary>
/// Guest MSR accesses through the whole path (intercept check, VM-exit, dispatch, the design's
/// vPMU semantics, metrics, re-entry) against a bare array update, for the emulated (legacy) and
/// the mediated design on an Intel and an AMD host. Target: at most 100× the baseline of the same
/// run and no allocation per access.
/// `dotnet run -c Release --project tests/MsrGen.Benchmarks -- --filter '*GuestMsrAccess*' --job short`
/// </summary>
[MemoryDiagnoser]
public class GuestMsrAccessBenchmarks
{
    private const int Updates = ArrayUpdateBaseline.Updates;
    private readonly ArrayUpdateBaseline _baseline = new();
    private Vcpu _vcpu = null!;
    private BenchmarkGuest _guest = null!;
    private BenchmarkGuest _idle = null!;

    [Params(VpmuMode.Emulated, VpmuMode.Mediated)]
    public VpmuMode Design { get; set; }

    [Params("sapphire-rapids", "zen4")]
    public string Host { get; set; } = "sapphire-rapids";

    [GlobalSetup]
    public void Setup()
    {
        _guest = BenchmarkGuest.Create(Host, Design);
        _vcpu = _guest.Vcpu;
        _guest.Program(counters: 1, sampling: false);
        _idle = BenchmarkGuest.Create(Host, Design);
    }

    /// <summary>The baseline (<see cref="ArrayUpdateBaseline"/>): one array read-modify-write per operation.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Updates)]
    public ulong BareArrayUpdate() => _baseline.Run();

    /// <summary>RDMSR of an event select: exit, dispatch, re-entry.</summary>
    [Benchmark]
    public ulong GuestRdmsrEventSelect() => _vcpu.GuestRdmsr(_guest.EventSelect(0)).Value;

    /// <summary>RDMSR of a live counter: under the emulated design also perf_event_read_value.</summary>
    [Benchmark]
    public ulong GuestRdmsrLiveCounter() => _vcpu.GuestRdmsr(_guest.Counter(0)).Value;

    /// <summary>WRMSR of an unchanged event select: exit, no reprogram.</summary>
    [Benchmark]
    public bool GuestWrmsrSameValue() => _vcpu.GuestWrmsr(_guest.EventSelect(1), 0).Faulted;

    /// <summary>
    /// The same RDMSR on a guest that programs no counter: the access alone (exit, dispatch,
    /// semantics, metrics, re-entry) without the reprogram that an emulated instruction causes
    /// when a counter counts instructions (kvm_pmu_instruction_retired() of arch/x86/kvm/pmu.c).
    /// </summary>
    [Benchmark]
    public ulong IdlePmuRdmsrEventSelect() => _idle.Vcpu.GuestRdmsr(_idle.EventSelect(0)).Value;

    /// <summary>The unchanged-value WRMSR on a guest that programs no counter.</summary>
    [Benchmark]
    public bool IdlePmuWrmsrSameValue() => _idle.Vcpu.GuestWrmsr(_idle.EventSelect(1), 0).Faulted;

    /// <summary>An access that faults (unknown MSR).</summary>
    [Benchmark]
    public bool GuestRdmsrUnknown() => _vcpu.GuestRdmsr(0x10).Faulted;

    /// <summary>One slow VM-exit with no PMU work and the re-entry (the world switch of the design).</summary>
    [Benchmark]
    public long GuestSlowExit()
    {
        _vcpu.GuestExits(0, 1);
        return _vcpu.Metrics.Exits;
    }
}
