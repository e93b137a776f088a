using BenchmarkDotNet.Attributes;
using MsrGen.Registers;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.Kvm;

namespace MsrGen.Benchmarks.Runtime;

/// <summary>
/// A 100-million-event guest stretch (instructions, branches, cycles) on counting and sampling
/// legacy counters, against summing the same counts into an array in 1M-event chunks.
/// </summary>
[MemoryDiagnoser]
public class WorkloadBenchmarks
{
    private const ulong Events = 100_000_000;
    private readonly ulong[] _counters = new ulong[8];
    private readonly EventBatch _batch = new();
    private Vcpu _vcpu = null!;

    [Params(false, true)]
    public bool Sampling { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var host = new HostMachine(PmuPresets.Get("sapphire-rapids"));
        _vcpu = Vm.Create(host, new VmRequest()).Vm!.Vcpus[0];
        _vcpu.Lvtpc = 0xFE;
        var sel = Ia32Perfevtsel.Zero.WithOs(true).WithUsr(true).WithEn(true).WithInt(Sampling);
        _vcpu.GuestWrmsr(Ia32PerfGlobalCtrl.Address, 0);
        _vcpu.GuestWrmsr(Ia32Perfevtsel.AddressOf(0), sel.WithEventSelect(0xC0).Value);
        _vcpu.GuestWrmsr(Ia32Perfevtsel.AddressOf(1), sel.WithEventSelect(0xC4).Value);
        _vcpu.GuestWrmsr(Ia32PerfGlobalCtrl.Address, 3);
        _batch.Add(0xC0, Events).Add(0xC4, Events / 5).WithCycles(Events);
    }

    [Benchmark(Baseline = true)]
    public ulong ArraySumInChunks()
    {
        for (ulong done = 0; done < Events; done += 1_000_000)
        {
            _counters[0] += 1_000_000;
            _counters[1] += 200_000;
        }

        return _counters[0];
    }

    [Benchmark]
    public long GuestRun100MEvents()
    {
        if (Sampling)
        {
            // Re-arm 1M instructions before the wrap: one overflow, one host NMI and one guest PMI per run.
            _vcpu.Lvtpc = 0xFE;
            _vcpu.GuestWrmsr(Ia32APmc.AddressOf(0), (1UL << 48) - 1_000_000);
        }

        _vcpu.GuestRun(_batch);
        return _vcpu.Metrics.Pmis;
    }
}
