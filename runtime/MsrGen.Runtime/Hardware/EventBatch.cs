using System;

namespace MsrGen.Runtime.Hardware;

/// <summary>
/// What a stretch of execution retires: counts per hardware event, all overlapping in time (100
/// instructions of which 10 are branches), and how many cycles it lasts. The stretch is walked
/// in "steps" from 0 to <see cref="Steps"/>; after step k, event e has retired count_e * k / Steps,
/// so the hardware can stop exactly where a counter overflows or a timer fires.
/// Reusable: <see cref="Clear"/> keeps the arrays, so the steady state allocates nothing.
/// </summary>
public sealed class EventBatch
{
    private ulong[] _events = new ulong[8];
    private ulong[] _counts = new ulong[8];

    public int Count { get; private set; }
    public ulong Cycles { get; private set; }

    /// <summary>The step count of the whole stretch: the largest event count or the cycles.</summary>
    public ulong Steps { get; private set; }

    public ulong EventAt(int i) => _events[i];

    public ulong CountAt(int i) => _counts[i];

    public EventBatch Clear()
    {
        Count = 0;
        Cycles = 0;
        Steps = 0;
        return this;
    }

    /// <summary>Adds retirements of one event; the same event twice adds up.</summary>
    public EventBatch Add(ulong encoding, ulong count)
    {
        for (int i = 0; i < Count; i++)
        {
            if (_events[i] == encoding)
            {
                _counts[i] = Saturating(_counts[i], count);
                Steps = Math.Max(Steps, _counts[i]);
                return this;
            }
        }

        if (Count == _events.Length)
        {
            Array.Resize(ref _events, Count * 2);
            Array.Resize(ref _counts, Count * 2);
        }

        _events[Count] = encoding;
        _counts[Count] = count;
        Count++;
        Steps = Math.Max(Steps, count);
        return this;
    }

    /// <summary>How long the stretch lasts; time is spread over the steps like the events.</summary>
    public EventBatch WithCycles(ulong cycles)
    {
        Cycles = cycles;
        Steps = Math.Max(Steps, cycles);
        return this;
    }

    public ulong CountOf(ulong encoding)
    {
        for (int i = 0; i < Count; i++)
        {
            if (_events[i] == encoding)
            {
                return _counts[i];
            }
        }

        return 0;
    }

    /// <summary>Retirements of a count spread evenly after <paramref name="step"/> steps.</summary>
    public static ulong Portion(ulong total, ulong step, ulong steps) =>
        steps == 0 ? 0 : step >= steps ? total : (ulong)((UInt128)total * step / steps);

    public ulong CyclesAt(ulong step) => Portion(Cycles, step, Steps);

    private static ulong Saturating(ulong a, ulong b) => a + b < a ? ulong.MaxValue : a + b;
}
