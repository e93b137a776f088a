using System;
using MsrGen.Registers;
using MsrGen.Runtime.Cost;
using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.HostPerf;

namespace MsrGen.Runtime.Legacy;

/// <summary>
/// Grouped events (Like Xu, "[PATCH RFC 7/8] KVM: x86/pmu: Use flex *event arrays to implement grouped events", LKML, 2022-12-12; opt-in with <c>vm grouped-metrics=on</c>): IA32_FIXED_CTR3
/// (TOPDOWN.SLOTS) is backed by a group whose leader counts slots and whose four siblings count
/// the level-1 topdown events; their counts are spliced into MSR_PERF_METRICS's four 8-bit
/// fields, readable with RDMSR 0x329 or RDPMC with ECX bit 29. The group is created disabled,
/// enabled in order, released as a whole, and stopped (read and released) instead of paused.
/// </summary>
public sealed partial class LegacyVpmu
{
    private static readonly ulong[] MetricEvents =
    {
        HardwareEvent.TopdownRetiring, HardwareEvent.TopdownBadSpeculation,
        HardwareEvent.TopdownFrontendBound, HardwareEvent.TopdownBackendBound,
    };

    private readonly ulong[] _metricsBaseline = new ulong[4];
    private ulong _slotsBaseline;

    private bool CreateMetricsGroup(LegacyPmc pmc, PerfEventAttr leaderAttr, bool intr)
    {
        var disabled = leaderAttr with { Disabled = true };
        var error = Perf.Open($"kvm-{_vcpu.Vm.Name}-{pmc}-slots", disabled, null, OnPerfOverflow, pmc, out var leader);
        if (error != PerfError.None || leader is null)
        {
            return false;
        }

        CountCreate();
        var siblings = new PerfEvent[MetricEvents.Length];
        for (int i = 0; i < MetricEvents.Length; i++)
        {
            var attr = disabled with { Config = MetricEvents[i], SamplePeriod = 0 };
            error = Perf.Open($"kvm-{_vcpu.Vm.Name}-{pmc}-metric{i}", attr, leader, null, pmc, out var sibling);
            if (error != PerfError.None || sibling is null)
            {
                for (int j = 0; j < i; j++)
                {
                    Perf.Release(siblings[j]);
                    CountRelease();
                }

                Perf.Release(leader);
                CountRelease();
                return false;
            }

            siblings[i] = sibling;
            CountCreate();
        }

        // Enabled in order once the whole group exists, so the leader never runs alone.
        Perf.Enable(leader);
        foreach (var sibling in siblings)
        {
            Perf.Enable(sibling);
        }

        _vcpu.Metrics.AddCost(_vcpu.Costs, CostTable.PerfEnable, siblings.Length + 1);
        pmc.PerfEvent = leader;
        pmc.Siblings = siblings;
        pmc.IsPaused = false;
        pmc.Intr = intr;
        ResetMetricsBaseline();
        return true;
    }

    private void CountCreate()
    {
        _eventCount++;
        _vcpu.Metrics.CountPerfCreate();
        _vcpu.Metrics.AddCost(_vcpu.Costs, CostTable.PerfCreate);
    }

    /// <summary>New measurement: the fields count from the group's current counts.</summary>
    private void ResetMetricsBaseline()
    {
        if (_fixed.Length < 4 || _fixed[3].Siblings is not { } siblings || _fixed[3].PerfEvent is not { } leader)
        {
            Array.Clear(_metricsBaseline);
            _slotsBaseline = 0;
            return;
        }

        _slotsBaseline = ReadPerfEvent(leader);
        for (int i = 0; i < siblings.Length; i++)
        {
            _metricsBaseline[i] = ReadPerfEvent(siblings[i]);
        }
    }

    /// <summary>Each metric's share of the slots since the baseline, as 0..255 (the 2022 design's splicing).</summary>
    private ulong PerfMetricsValue()
    {
        if (_fixed.Length < 4 || _fixed[3].Siblings is not { } siblings || _fixed[3].PerfEvent is not { } leader || _fixed[3].IsPaused)
        {
            return _perfMetricsBase;
        }

        ulong slots = ReadPerfEvent(leader) - _slotsBaseline;
        if (slots == 0)
        {
            return 0;
        }

        var value = MsrPerfMetrics.Zero;
        Span<byte> fields = stackalloc byte[4];
        for (int i = 0; i < siblings.Length; i++)
        {
            ulong count = ReadPerfEvent(siblings[i]) - _metricsBaseline[i];
            fields[i] = (byte)Math.Min(255UL, (ulong)((UInt128)count * 255 / slots));
        }

        return value.WithRetiring(fields[0]).WithBadSpec(fields[1]).WithFeBound(fields[2]).WithBeBound(fields[3]).Value;
    }
}
