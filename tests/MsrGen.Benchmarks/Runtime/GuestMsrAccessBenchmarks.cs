using BenchmarkDotNet.Attributes;
using MsrGen.Registers;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.Kvm;

namespace MsrGen.Benchmarks.Runtime;

/// <summary>
/// Guest MSR accesses through the whole path (intercept check, VM-exit, dispatch, legacy vPMU
/// semantics, metrics, re-entry) against a bare array update. Target: no allocation per access.
/// </summary>
[MemoryDiagnoser]
public class GuestMsrAccessBenchmarks
{
    private readonly ulong[] _registers = new ulong[16];
    private Vcpu _vcpu = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var host = new HostMachine(PmuPresets.Get("sapphire-rapids"));
        _vcpu = Vm.Create(host, new VmRequest()).Vm!.Vcpus[0];
        _vcpu.GuestWrmsr(Ia32PerfGlobalCtrl.Address, 0);
        _vcpu.GuestWrmsr(Ia32Perfevtsel.AddressOf(0), Ia32Perfevtsel.Zero.WithEventSelect(0xC0).WithOs(true).WithEn(true).Value);
        _vcpu.GuestWrmsr(Ia32PerfGlobalCtrl.Address, 1);
    }

    [Benchmark(Baseline = true)]
    public ulong BareArrayUpdate()
    {
        int i = _next++ & 15;
        _registers[i] += 1;
        return _registers[i];
    }

    /// <summary>RDMSR of an event select: exit, dispatch, re-entry.</summary>
    [Benchmark]
    public ulong GuestRdmsrEventSelect() => _vcpu.GuestRdmsr(Ia32Perfevtsel.AddressOf(0)).Value;

    /// <summary>RDMSR of a live counter: also perf_event_read_value (a physical RDPMC).</summary>
    [Benchmark]
    public ulong GuestRdmsrLiveCounter() => _vcpu.GuestRdmsr(Ia32Pmc.AddressOf(0)).Value;

    /// <summary>WRMSR of an unchanged event select: exit, no reprogram.</summary>
    [Benchmark]
    public bool GuestWrmsrSameValue() => _vcpu.GuestWrmsr(Ia32Perfevtsel.AddressOf(1), 0).Faulted;

    /// <summary>An access that faults (unknown MSR).</summary>
    [Benchmark]
    public bool GuestRdmsrUnknown() => _vcpu.GuestRdmsr(0x10).Faulted;
}
