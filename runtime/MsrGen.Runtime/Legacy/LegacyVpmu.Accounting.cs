using MsrGen.Runtime.Hardware;
using MsrGen.Runtime.HostPerf;

namespace MsrGen.Runtime.Legacy;

/// <summary>
/// Count error against ground truth: what each enabled guest counter should gain from a native
/// stretch (KVM's own rules: enables, filter, privilege) against what its perf event delivered.
/// Peeks do not touch the hardware interface, so they cost nothing in the metrics.
/// </summary>
public sealed partial class LegacyVpmu
{
    private ulong[] _runStart = new ulong[16];

    public void BeforeGuestRun(EventBatch batch, int cpl)
    {
        int n = 0;
        for (int k = 0; k < PmcTotal; k++)
        {
            var pmc = PmcAt(k);
            if (n == _runStart.Length)
            {
                System.Array.Resize(ref _runStart, n * 2);
            }

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
            ulong start = _runStart[n++];
            if (!IsGloballyEnabled(pmc) || !IsLocallyEnabled(pmc) || !IsAllowedByFilter(pmc) || !CplMatchesAt(pmc, cpl))
            {
                continue;
            }

            expected += pmc.IsFixed
                ? batch.CountOf(HardwareEvent.FixedCounterEvent(pmc.Index))
                : HardwareEvent.GpCount(pmc.Eventsel, Caps.Vendor, batch, 0, batch.Steps);
            observed += (Peek(pmc) - start) & MaskOf(pmc);
        }

        _vcpu.Metrics.AddCounting(expected, observed);
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
