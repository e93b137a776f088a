using System;
using MsrGen.Registers;

namespace MsrGen.Runtime.Hardware;

/// <summary>
/// Bulk host accesses for a world switch (arch/x86/kvm/pmu.c kvm_mediated_pmu_load() and
/// kvm_mediated_pmu_put() move every counter and event select of the guest one RDPMC / WRMSR at a
/// time). The registers such a switch touches are fixed for the vCPU's lifetime, and so is
/// everything a single access works out for them (catalog entry, existence, writability, reserved
/// bits, the counters' slots), so a <see cref="CounterBank"/> resolves them once. A bulk operation
/// then has exactly the effect of its single accesses, in the same order per register: the same
/// stores, the same #GP outcomes (a faulting write changes nothing), and the same counts, per
/// register instance and in total, in the machine's counters and in the attributed VM's.
/// What it does not reproduce is the interleaving of those accesses for an observer that records
/// them one by one: callers fall back to single accesses when such an observer is attached.
/// </summary>
public sealed partial class PhysicalPmu
{
    /// <summary>
    /// GP counters, their event selects and the fixed counters, instance i at index i, resolved on
    /// this CPU. Built only when every one is a catalogued, existing, writable register of the kind
    /// the bulk operations store into (otherwise the single-access path, with its #GP handling, is kept).
    /// </summary>
    internal sealed class CounterBank
    {
        internal CounterBank(int[] counterSlots, bool counterWidthFaults, int[] selectSlots, ulong[] selectReserved, int[] fixedSlots)
        {
            CounterSlots = counterSlots;
            CounterWidthFaults = counterWidthFaults;
            SelectSlots = selectSlots;
            SelectReserved = selectReserved;
            FixedSlots = fixedSlots;
        }

        internal int[] CounterSlots { get; }

        /// <summary>The counters are IA32_A_PMCi: a value wider than the counter is a #GP (SDM 20.2.6), not truncated.</summary>
        internal bool CounterWidthFaults { get; }

        internal int[] SelectSlots { get; }

        /// <summary>Bits of each event select the hardware rejects (#GP), as a single WRMSR checks them.</summary>
        internal ulong[] SelectReserved { get; }

        internal int[] FixedSlots { get; }
    }

    /// <summary>
    /// Resolves the registers at these addresses (instance i of each kind at index i), or null when
    /// any of them is not one the bulk operations can store into exactly as a single WRMSR would.
    /// </summary>
    internal CounterBank? PlanCounterBank(ReadOnlySpan<uint> counters, ReadOnlySpan<uint> selects, ReadOnlySpan<uint> fixedCounters)
    {
        if (counters.Length != selects.Length || counters.Length > _gp.Length || fixedCounters.Length > _fixed.Length)
        {
            return null;
        }

        var counterSlots = new int[counters.Length];
        var selectSlots = new int[selects.Length];
        var selectReserved = new ulong[selects.Length];
        var fixedSlots = new int[fixedCounters.Length];
        MsrId counterId = default;
        for (int i = 0; i < counters.Length; i++)
        {
            if (!TryResolveForBulk(counters[i], i, out var counter) || !TryResolveForBulk(selects[i], i, out var select)
                || counter.Id is not (MsrId.Ia32APmc or MsrId.MsrF15hPerfCtr or MsrId.MsrK7Perfctr)
                || (i > 0 && counter.Id != counterId)
                || select.Id is not (MsrId.Ia32Perfevtsel or MsrId.MsrF15hPerfCtl or MsrId.MsrK7Evntsel))
            {
                return null;
            }

            counterId = counter.Id;
            counterSlots[i] = HardwareAccessCounters.SlotOf(counter);
            selectSlots[i] = HardwareAccessCounters.SlotOf(select);
            selectReserved[i] = Facts(select).PhysicalReserved;
        }

        for (int i = 0; i < fixedCounters.Length; i++)
        {
            if (!TryResolveForBulk(fixedCounters[i], i, out var fixedCounter) || fixedCounter.Id != MsrId.Ia32FixedCtr)
            {
                return null;
            }

            fixedSlots[i] = HardwareAccessCounters.SlotOf(fixedCounter);
        }

        return new CounterBank(counterSlots, counterId == MsrId.Ia32APmc, selectSlots, selectReserved, fixedSlots);
    }

    private bool TryResolveForBulk(uint address, int instance, out MsrRef register)
    {
        if (!MsrCatalog.TryFind(address, Profile, out register) || register.Index != instance || (uint)instance >= 64)
        {
            return false;
        }

        ref readonly var facts = ref Facts(register);
        return facts.Exists && facts.Writable;
    }

    /// <summary>
    /// kvm_mediated_pmu_put()'s counter loop as one operation: for each GP counter i, RDPMC i into
    /// <paramref name="gp"/>[i], WRMSR 0 to the counter when it was non-zero, WRMSR 0 to its event
    /// select when <paramref name="selectsHw"/>[i] is non-zero; then for each fixed counter, RDPMC
    /// (fixed index space) and WRMSR 0 when non-zero. Returns the WRMSRs; the RDPMCs are one per counter.
    /// </summary>
    internal long SaveAndClearCounters(CounterBank bank, Span<ulong> gp, ReadOnlySpan<ulong> selectsHw, Span<ulong> fixedCounters)
    {
        SettlePendingMoves();
        var attribution = Attribution;
        long[] machine = Accesses.WriteCounts;
        long[]? vm = attribution?.WriteCounts;
        ulong[] hwCounters = _gp, hwSelects = _evtsel;
        int[] counterSlots = bank.CounterSlots, selectSlots = bank.SelectSlots, fixedSlots = bank.FixedSlots;
        long writes = 0;
        for (int i = 0; i < gp.Length; i++)
        {
            ulong value = hwCounters[i];
            gp[i] = value;
            if (value != 0)
            {
                hwCounters[i] = 0;
                CountBulkWrite(counterSlots[i], machine, vm);
                writes++;
            }

            if (selectsHw[i] != 0)
            {
                hwSelects[i] = 0;
                CountBulkWrite(selectSlots[i], machine, vm);
                writes++;
            }
        }

        for (int i = 0; i < fixedCounters.Length; i++)
        {
            ulong value = _fixed[i];
            fixedCounters[i] = value;
            if (value != 0)
            {
                StoreFixed(i, 0);
                CountBulkWrite(fixedSlots[i], machine, vm);
                writes++;
            }
        }

        long rdpmcs = gp.Length + fixedCounters.Length;
        Accesses.AddTotals(writes, rdpmcs);
        attribution?.AddTotals(writes, rdpmcs);
        return writes;
    }

    /// <summary>
    /// kvm_mediated_pmu_load()'s counter loop as one operation, for the GP counters in
    /// <paramref name="gpMask"/> and the fixed counters in <paramref name="fixedMask"/>: with
    /// <paramref name="readFirst"/>, RDPMC and skip the counter's WRMSR when it already holds the
    /// value; WRMSR the counter; for a GP counter then WRMSR its event select. Returns the WRMSRs
    /// and, in <paramref name="rdpmcs"/>, the RDPMCs.
    /// </summary>
    internal long RestoreCounters(CounterBank bank, ReadOnlySpan<ulong> gp, ReadOnlySpan<ulong> selectsHw, ReadOnlySpan<ulong> fixedCounters,
        ulong gpMask, ulong fixedMask, bool readFirst, out long rdpmcs)
    {
        SettlePendingMoves();
        var attribution = Attribution;
        long[] machine = Accesses.WriteCounts;
        long[]? vm = attribution?.WriteCounts;
        ulong[] hwCounters = _gp;
        int[] counterSlots = bank.CounterSlots, selectSlots = bank.SelectSlots, fixedSlots = bank.FixedSlots;
        long writes = 0, reads = 0;
        for (int i = 0; i < gp.Length; i++)
        {
            if ((gpMask & (1UL << i)) == 0)
            {
                continue;
            }

            ulong value = gp[i];
            if (readFirst)
            {
                reads++;
            }

            if (!readFirst || hwCounters[i] != value)
            {
                TryStoreCounter(bank, i, value);
                CountBulkWrite(counterSlots[i], machine, vm);
                writes++;
            }

            TryStoreSelect(bank, i, selectsHw[i]);
            CountBulkWrite(selectSlots[i], machine, vm);
            writes++;
        }

        for (int i = 0; i < fixedCounters.Length; i++)
        {
            if ((fixedMask & (1UL << i)) == 0)
            {
                continue;
            }

            ulong value = fixedCounters[i];
            if (readFirst)
            {
                reads++;
            }

            if (!readFirst || _fixed[i] != value)
            {
                StoreFixed(i, value);
                CountBulkWrite(fixedSlots[i], machine, vm);
                writes++;
            }
        }

        Accesses.AddTotals(writes, reads);
        attribution?.AddTotals(writes, reads);
        rdpmcs = reads;
        return writes;
    }

    /// <summary>
    /// A WRMSR of the bank's GP counter i, as <see cref="Write"/> stores it: IA32_A_PMCi faults on
    /// bits above the width (false, nothing stored); the other counters keep the low bits.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private bool TryStoreCounter(CounterBank bank, int i, ulong value)
    {
        if (bank.CounterWidthFaults && (value & ~GpMask) != 0)
        {
            return false;
        }

        _gp[i] = value & GpMask;
        return true;
    }

    /// <summary>A WRMSR of the bank's event select i: reserved bits fault (false, nothing stored).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private bool TryStoreSelect(CounterBank bank, int i, ulong select)
    {
        if ((select & bank.SelectReserved[i]) != 0)
        {
            return false;
        }

        _evtsel[i] = select;
        return true;
    }

    /// <summary>A WRMSR of fixed counter i, as <see cref="Write"/> stores it (FIXED_CTR3 also resets the topdown slots).</summary>
    private void StoreFixed(int i, ulong value)
    {
        _fixed[i] = value & FixedMask;
        if (i == 3)
        {
            Array.Clear(_topdown);
        }
    }

    /// <summary>One WRMSR's per-instance counts: the machine's, and the attributed VM's when there is one.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void CountBulkWrite(int slot, long[] machine, long[]? vm)
    {
        HardwareAccessCounters.CountWriteOfSlot(machine, slot);
        if (vm is not null)
        {
            HardwareAccessCounters.CountWriteOfSlot(vm, slot);
        }
    }
}
