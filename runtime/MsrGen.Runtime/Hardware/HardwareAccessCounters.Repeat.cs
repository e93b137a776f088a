using System;

namespace MsrGen.Runtime.Hardware;

/// <summary>Checkpoints of the access counts, for applying a run of identical exits in closed form.</summary>
public sealed partial class HardwareAccessCounters
{
    /// <summary>A copy of every count.</summary>
    internal sealed class Checkpoint
    {
        internal Checkpoint(HardwareAccessCounters from)
        {
            Reads = (long[])from._reads.Clone();
            Writes = (long[])from._writes.Clone();
            Totals = [from.MsrReads, from.MsrWrites, from.Rdpmcs, from.UncataloguedAccesses, from.LvtpcWrites];
        }

        internal long[] Reads { get; }
        internal long[] Writes { get; }
        internal long[] Totals { get; }
    }

    internal Checkpoint Capture()
    {
        FlushPendingSwitches();
        return new(this);
    }

    internal void Restore(Checkpoint checkpoint)
    {
        DiscardPendingSwitches();
        Array.Copy(checkpoint.Reads, _reads, _reads.Length);
        Array.Copy(checkpoint.Writes, _writes, _writes.Length);
        SetTotals(checkpoint.Totals);
    }

    /// <summary>Whether <paramref name="a"/>→<paramref name="b"/> and <paramref name="b"/>→<paramref name="c"/> changed every count alike.</summary>
    internal static bool SameDelta(Checkpoint a, Checkpoint b, Checkpoint c) =>
        SameDelta(a.Reads, b.Reads, c.Reads) && SameDelta(a.Writes, b.Writes, c.Writes) && SameDelta(a.Totals, b.Totals, c.Totals);

    /// <summary>Adds <paramref name="times"/> × (<paramref name="to"/> − <paramref name="from"/>) to every count, saturating.</summary>
    internal void AddRepeated(Checkpoint from, Checkpoint to, ulong times)
    {
        FlushPendingSwitches();
        AddRepeated(_reads, from.Reads, to.Reads, times);
        AddRepeated(_writes, from.Writes, to.Writes, times);
        long[] totals = [MsrReads, MsrWrites, Rdpmcs, UncataloguedAccesses, LvtpcWrites];
        AddRepeated(totals, from.Totals, to.Totals, times);
        SetTotals(totals);
    }

    private void SetTotals(long[] totals)
    {
        MsrReads = totals[0];
        MsrWrites = totals[1];
        Rdpmcs = totals[2];
        UncataloguedAccesses = totals[3];
        LvtpcWrites = totals[4];
    }

    internal static bool SameDelta(long[] a, long[] b, long[] c)
    {
        for (int i = 0; i < a.Length; i++)
        {
            if (b[i] < a[i] || b[i] - a[i] != c[i] - b[i])
            {
                return false;
            }
        }

        return true;
    }

    internal static void AddRepeated(long[] target, long[] from, long[] to, ulong times)
    {
        for (int i = 0; i < target.Length; i++)
        {
            target[i] = SaturatingAddRepeated(target[i], to[i] - from[i], times);
        }
    }

    /// <summary>value + delta × times for a non-negative delta, saturating at long.MaxValue.</summary>
    internal static long SaturatingAddRepeated(long value, long delta, ulong times)
    {
        if (delta <= 0 || times == 0)
        {
            return value;
        }

        UInt128 sum = (UInt128)(ulong)value + (UInt128)(ulong)delta * times;
        return sum > long.MaxValue ? long.MaxValue : (long)sum;
    }
}
