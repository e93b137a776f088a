using System;
using BenchmarkDotNet.Attributes;
using MsrGen.Runtime.Lbr;

namespace MsrGen.Benchmarks.Lbr;

/// <summary>
/// Simulated LBR save/restore throughput per vCPU switch (one operation = sched-out + sched-in of a
/// vCPU whose 32-entry stack with LBR_INFO is live) and allocations per switch (target: zero). The
/// baseline copies the same 98 × 2 values with no model around them.
/// `dotnet run -c Release --project tests/MsrGen.Benchmarks -- --filter '*LbrSaveRestore*'`
/// </summary>
[MemoryDiagnoser]
public class LbrSaveRestoreBenchmarks
{
    private readonly ulong[] hardware = new ulong[98];
    private readonly ulong[] saved = new ulong[98];
    private LbrWorld always = null!;
    private LbrWorld lazy = null!;
    private LbrWorld kvm = null!;

    [GlobalSetup]
    public void Setup()
    {
        always = Prepared(LbrStrategyKind.Always);
        lazy = Prepared(LbrStrategyKind.Lazy);
        kvm = Prepared(LbrStrategyKind.Kvm);
        for (int i = 0; i < hardware.Length; i++)
        {
            hardware[i] = 0x7f00_0000UL + (ulong)i;
        }
    }

    [Benchmark(Baseline = true, Description = "array copy of 98 MSR values, both ways")]
    public ulong CopyOnly()
    {
        hardware.AsSpan().CopyTo(saved);
        saved.AsSpan().CopyTo(hardware);
        return saved[97];
    }

    [Benchmark(Description = "always: save + restore per switch")]
    public long AlwaysSwitch() => Switch(always);

    [Benchmark(Description = "kvm: perf-style save + restore per switch")]
    public long KvmSwitch() => Switch(kvm);

    [Benchmark(Description = "lazy: switch + first-access restore")]
    public ulong LazySwitch()
    {
        lazy.SchedOut();
        lazy.SchedIn();
        return lazy.Vcpu.GuestRdmsr(Registers.MsrLbrTos.Address).Value;
    }

    private static long Switch(LbrWorld world)
    {
        world.SchedOut();
        world.SchedIn();
        return world.Metrics.Restores;
    }

    private static LbrWorld Prepared(LbrStrategyKind strategy)
    {
        var world = LbrWorld.Create(strategy, LbrWorld.SkylakeServer);
        world.Guest.EnableUserCallstack();
        world.GuestBranches(200);
        return world;
    }
}
