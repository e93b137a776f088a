using System;

namespace MsrGen.Runtime.Hardware;

/// <summary>
/// Register moves of a world switch that were accounted for but not yet performed on this CPU's
/// PMU (the mediated vPMU's put, see <c>MediatedVpmu.Replay.cs</c>). The PMU settles them before
/// anything else reads or writes a register, so nobody ever sees the difference.
/// </summary>
internal interface IPendingPmuMoves
{
    /// <summary>Performs the pending moves (counted as they would have been at the put).</summary>
    void Settle();
}

/// <summary>
/// The other half of the mediated vPMU's switch replay: a pending put whose register moves the
/// owner performs before any other access, raw views of the registers a put saves, and the
/// stores and counts of a replayed put + load.
/// </summary>
public sealed partial class PhysicalPmu
{
    private IPendingPmuMoves? _pendingMoves;

    /// <summary>Whether a put's register moves are still pending on this CPU.</summary>
    internal bool HasPendingMoves => _pendingMoves is not null;

    /// <summary>Registers <paramref name="owner"/>'s pending moves: settled before the next access of any kind.</summary>
    internal void DeferMoves(IPendingPmuMoves owner) => _pendingMoves = owner;

    /// <summary>The owner takes its pending moves back (it performs or replays them itself).</summary>
    internal void ForgetPendingMoves() => _pendingMoves = null;

    /// <summary>Performs pending moves, if any: every register access and every stretch of execution calls this first.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal void SettlePendingMoves()
    {
        if (_pendingMoves is not null)
        {
            SettleSlow();
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void SettleSlow()
    {
        var owner = _pendingMoves!;
        _pendingMoves = null;
        owner.Settle();
    }

    // What a put saves, read without an access (the put's RDMSR / RDPMCs are counted when it is
    // performed or replayed, not here).
    internal ulong RawGp(int i) => _gp[i];

    internal ulong RawSelect(int i) => _evtsel[i];

    internal ulong RawFixed(int i) => _fixed[i];

    internal ulong RawGlobalStatus => _globalStatus;

    internal ulong RawFixedCtrl => _fixedCtrl;

    internal ulong RawGlobalCtrl => _globalCtrl;

    /// <summary>
    /// The register state a put followed by a load leaves, without the accesses: after the put
    /// every counter, event select and fixed counter of the bank is 0 (the bank's selects matched
    /// the vCPU's when the put was deferred), and the load writes <paramref name="gp"/>,
    /// <paramref name="selectsHw"/> and <paramref name="fixedCounters"/> as
    /// <see cref="RestoreCounters"/> stores them (a write that faults leaves the 0). The global registers take the values
    /// recorded for the same inputs; FIXED_CTR3 writes also reset the topdown slots.
    /// </summary>
    internal void StoreReplayedSwitch(CounterBank bank, ReadOnlySpan<ulong> gp, ReadOnlySpan<ulong> selectsHw, ReadOnlySpan<ulong> fixedCounters,
        ulong globalStatus, ulong fixedCtrl, ulong globalCtrl, bool resetsTopdown)
    {
        for (int i = 0; i < gp.Length; i++)
        {
            if (!TryStoreCounter(bank, i, gp[i]))
            {
                _gp[i] = 0;
            }

            if (!TryStoreSelect(bank, i, selectsHw[i]))
            {
                _evtsel[i] = 0;
            }
        }

        for (int i = 0; i < fixedCounters.Length; i++)
        {
            _fixed[i] = fixedCounters[i] & FixedMask;
        }

        if (resetsTopdown)
        {
            _topdown.AsSpan().Clear();
        }

        _globalStatus = globalStatus;
        _fixedCtrl = fixedCtrl;
        _globalCtrl = globalCtrl;
    }

    /// <summary>
    /// A replayed switch's counts, in the machine's counters and the attributed VM's, exactly as
    /// its single accesses count them (per register instance, in total, saturating).
    /// </summary>
    internal void CountReplayedSwitch(SwitchCounts counts)
    {
        Accesses.AddSwitchCounts(counts);
        Attribution?.AddSwitchCounts(counts);
    }
}
