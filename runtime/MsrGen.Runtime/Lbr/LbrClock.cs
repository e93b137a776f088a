using System;
using MsrGen.Runtime.Hardware;

namespace MsrGen.Runtime.Lbr;

/// <summary>
/// Where the LBR model's time comes from: its own cycle counter when it runs alone (the
/// comparison, the scenario driver), the runtime's <see cref="SimClock"/> inside the runtime, so
/// the <c>timer</c> strategy's window is measured in the same cycles as <c>idle</c>,
/// <c>guest run cycles=</c> and host work.
/// </summary>
public abstract class LbrClock
{
    /// <summary>Cycles since the start.</summary>
    public abstract long Now { get; }

    /// <summary>Time spent by something the LBR model runs itself (branches, a host thread).</summary>
    public abstract void Advance(long cycles);

    /// <summary>A clock of its own, starting at 0.</summary>
    public static LbrClock CreateOwn() => new OwnClock();

    /// <summary>The runtime's clock: reads it and advances it.</summary>
    public static LbrClock Of(SimClock clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        return new RuntimeClock(clock);
    }

    private sealed class OwnClock : LbrClock
    {
        private long now;

        public override long Now => now;

        public override void Advance(long cycles)
        {
            if (cycles > 0)
            {
                now = cycles > long.MaxValue - now ? long.MaxValue : now + cycles;
            }
        }
    }

    private sealed class RuntimeClock(SimClock clock) : LbrClock
    {
        public override long Now => (long)Math.Min(clock.Cycles, long.MaxValue);

        public override void Advance(long cycles)
        {
            if (cycles > 0)
            {
                clock.Advance((ulong)cycles);
            }
        }
    }
}
