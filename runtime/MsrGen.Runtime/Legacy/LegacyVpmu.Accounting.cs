using MsrGen.Runtime.Hardware;

namespace MsrGen.Runtime.Legacy;

/// <summary>
/// Count error against ground truth: what each enabled guest counter should gain from a native
/// stretch (KVM's own rules: enables, filter, privilege) against what its perf event delivered.
/// Peeks do not touch the hardware interface, so they cost nothing in the metrics.
/// </summary>
public sealed partial class LegacyVpmu
{
    private ulong[] _runStart = new ulong[16];
    private ulong[] _runStartWraps = new ulong[16];

    public void BeforeGuestRun(EventBatch batch, int cpl)
    {
        int n = 0;
        for (int k = 0; k < PmcTotal; k++)
        {
            var pmc = PmcAt(k);
            if (n == _runStart.Length)
            {
                System.Array.Resize(ref _runStart, n * 2);
                System.Array.Resize(ref _runStartWraps, n * 2);
            }

            _runStartWraps[n] = pmc.Wraps;
            _runStart[n++] = Peek(pmc);
        }
    }

    public void AfterGuestRun(EventBatch batch, int cpl)
    {
        ulong expected = 0, observed = 0;
        int n = 0;
        for (int k = 0; k < PmcTotal; k++)
        {
            var pmc = PmcAt(k);
            ulong startWraps = _runStartWraps[n];
            ulong start = _runStart[n++];
            if (!IsGloballyEnabled(pmc) || !IsLocallyEnabled(pmc) || !IsAllowedByFilter(pmc) || !CplMatchesAt(pmc, cpl))
            {
                continue;
            }

            ulong counted = pmc.IsFixed
                ? batch.CountOf(HardwareEvent.FixedCounterEvent(pmc.Index))
                : HardwareEvent.GpCount(pmc.Eventsel, GuestCaps.Vendor, batch, 0, batch.Steps);
            expected = global::MsrGen.Runtime.Metrics.VmMetrics.SaturatingAdd(expected, counted);
            observed = global::MsrGen.Runtime.Metrics.VmMetrics.SaturatingAdd(observed, Gained(pmc, start, pmc.Wraps - startWraps));
        }

        _vcpu.Metrics.AddCounting(expected, observed);
    }

    /// <summary>
    /// What a counter gained in a stretch, wraps included: the counter reads start + D modulo
    /// 2^width, and it wrapped floor((start + D) / 2^width) times, so D = q·2^width + r with
    /// r = (end - start) mod 2^width and q = wraps - (start + r reaches 2^width ? 1 : 0).
    /// </summary>
    private ulong Gained(LegacyPmc pmc, ulong start, ulong wraps)
    {
        ulong mask = MaskOf(pmc);
        ulong r = (Peek(pmc) - start) & mask;
        if (wraps == 0)
        {
            return r;
        }

        bool crossed = r > mask - start;
        ulong q = crossed ? wraps - 1 : wraps;
        if (mask == ulong.MaxValue)
        {
            return q == 0 ? r : ulong.MaxValue;
        }

        ulong span = mask + 1;
        return global::MsrGen.Runtime.Metrics.VmMetrics.SaturatingAdd(global::MsrGen.Runtime.Metrics.VmMetrics.SaturatingMultiply(q, span), r);
    }

    private bool CplMatchesAt(LegacyPmc pmc, int cpl)
    {
        int saved = _vcpu.Cpl;
        _vcpu.Cpl = cpl;
        bool matches = CplMatches(pmc);
        _vcpu.Cpl = saved;
        return matches;
    }

    private ulong Peek(LegacyPmc pmc)
    {
        ulong value = pmc.Counter + pmc.EmulatedCounter;
        if (pmc.PerfEvent is { } perfEvent && !pmc.IsPaused)
        {
            value += Perf.Peek(perfEvent);
        }

        return value & MaskOf(pmc);
    }
}
