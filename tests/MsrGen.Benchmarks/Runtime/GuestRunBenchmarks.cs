using BenchmarkDotNet.Attributes;
using MsrGen.Registers;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.Kvm;
using MsrGen.Scenarios;

namespace MsrGen.Benchmarks.Runtime;

/// <summary>
/// `guest run` of a million events (instructions, a fifth of them branches, as many cycles) on two
/// counting counters, through Vcpu.GuestRun with an EventBatch, per design and vendor, against a
/// bare array update measured in the same run. Target: no allocation per run.
/// `dotnet run -c Release --project tests/MsrGen.Benchmarks -- --filter '*GuestRunBenchmarks*' --job short`
/// </summary>
[MemoryDiagnoser]
public class GuestRunBenchmarks
{
    private const ulong Events = 1_000_000;
    private const int Updates = ArrayUpdateBaseline.Updates;
    private readonly ArrayUpdateBaseline _baseline = new();
    private readonly EventBatch _batch = new();
    private Vcpu _vcpu = null!;

    [Params(VpmuMode.Emulated, VpmuMode.Mediated)]
    public VpmuMode Design { get; set; }

    [Params("sapphire-rapids", "zen4")]
    public string Host { get; set; } = "sapphire-rapids";

    [GlobalSetup]
    public void Setup()
    {
        var guest = BenchmarkGuest.Create(Host, Design);
        _vcpu = guest.Vcpu;
        guest.Program(counters: 2, sampling: false);
        var vendor = _vcpu.GuestCaps.Vendor;
        _batch.Add(HardwareEvent.Encode(EventKind.Instructions, vendor), Events)
            .Add(HardwareEvent.Encode(EventKind.Branches, vendor), Events / 5)
            .WithCycles(Events);
    }

    /// <summary>The baseline (<see cref="ArrayUpdateBaseline"/>): one array read-modify-write per operation.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Updates)]
    public ulong BareArrayUpdate() => _baseline.Run();

    [Benchmark]
    public ulong GuestRun1MEvents()
    {
        _vcpu.GuestRun(_batch);
        return _vcpu.Metrics.CountObserved;
    }
}
