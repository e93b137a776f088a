namespace MsrGen.Runtime.Hardware;

/// <summary>
/// What one replayed world switch counts (see <see cref="PhysicalPmu.CountReplayedSwitch"/>): the
/// register instances it counted with their read and write deltas, and the totals. Immutable once
/// recorded, so counters can hold on to it.
/// </summary>
internal sealed record SwitchCounts(int[] Slots, long[] Reads, long[] Writes, long ReadTotal, long WriteTotal, long RdpmcTotal);

/// <summary>
/// Replayed switches are counted lazily per register instance: the totals at once (every
/// operation's cost reads them), the instances as "this recording, n times", added when anything
/// reads an instance's count or a different recording arrives. Additions of non-negative counts
/// saturating at long.MaxValue commute, so the result is the same as counting each switch when it happened.
/// </summary>
public sealed partial class HardwareAccessCounters
{
    private SwitchCounts? _pendingSwitch;
    private ulong _pendingSwitchTimes;

    /// <summary>One replayed switch: its totals now, its per-instance counts lazily.</summary>
    internal void AddSwitchCounts(SwitchCounts counts)
    {
        if (!ReferenceEquals(counts, _pendingSwitch))
        {
            FlushPendingSwitches();
            _pendingSwitch = counts;
        }

        _pendingSwitchTimes++;
        MsrReads = SaturatingAdd(MsrReads, counts.ReadTotal);
        MsrWrites = SaturatingAdd(MsrWrites, counts.WriteTotal);
        Rdpmcs = SaturatingAdd(Rdpmcs, counts.RdpmcTotal);
    }

    /// <summary>Adds the per-instance counts of the replayed switches not yet added.</summary>
    private void FlushPendingSwitches()
    {
        if (_pendingSwitch is not { } counts)
        {
            return;
        }

        ulong times = _pendingSwitchTimes;
        _pendingSwitch = null;
        _pendingSwitchTimes = 0;
        for (int k = 0; k < counts.Slots.Length; k++)
        {
            int slot = counts.Slots[k];
            _reads[slot] = SaturatingAddRepeated(_reads[slot], counts.Reads[k], times);
            _writes[slot] = SaturatingAddRepeated(_writes[slot], counts.Writes[k], times);
        }
    }

    /// <summary>Drops replayed switches not yet added (the counts are being overwritten).</summary>
    private void DiscardPendingSwitches()
    {
        _pendingSwitch = null;
        _pendingSwitchTimes = 0;
    }

    /// <summary>The per-instance read counts, complete (for recording what a switch counted).</summary>
    internal long[] ReadCountsComplete
    {
        get
        {
            FlushPendingSwitches();
            return _reads;
        }
    }

    /// <summary>The per-instance write counts, complete.</summary>
    internal long[] WriteCountsComplete
    {
        get
        {
            FlushPendingSwitches();
            return _writes;
        }
    }
}
