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
    private const int Updates = 1024;
    private readonly ulong[] _registers = new ulong[16];
    private readonly EventBatch _batch = new();
    private Vcpu _vcpu = null!;
    private int _next;

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

    /// <summary>
    /// The baseline: one read-modify-write of a register array slot, timed over a loop of
    /// <see cref="Updates"/> so that the call overhead BenchmarkDotNet subtracts does not swamp it.
    /// </summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Updates)]
    public ulong BareArrayUpdate()
    {
        ulong last = 0;
        for (int n = 0; n < Updates; n++)
        {
            int i = _next++ & 15;
            _registers[i] += 1;
            last = _registers[i];
        }

        return last;
    }

    [Benchmark]
    public ulong GuestRun1MEvents()
    {
        _vcpu.GuestRun(_batch);
        return _vcpu.Metrics.CountObserved;
    }
}
