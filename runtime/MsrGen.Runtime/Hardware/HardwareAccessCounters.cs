using System;
using System.Collections.Generic;
using MsrGen.Registers;

namespace MsrGen.Runtime.Hardware;

/// <summary>
/// Physical RDMSR / WRMSR / RDPMC counts, per register instance and in total. Fixed-size arrays
/// indexed by catalog id and instance keep counting allocation-free on the hot path.
/// </summary>
public sealed partial class HardwareAccessCounters
{
    private const int InstancesPerRegister = 64;
    private readonly long[] _reads = new long[(MsrCatalog.RegisterCount + 1) * InstancesPerRegister];
    private readonly long[] _writes = new long[(MsrCatalog.RegisterCount + 1) * InstancesPerRegister];

    public long MsrReads { get; private set; }
    public long MsrWrites { get; private set; }
    public long Rdpmcs { get; private set; }
    /// <summary>Accesses to addresses the catalog does not know (counted in the totals only).</summary>
    public long UncataloguedAccesses { get; private set; }

    /// <summary>
    /// x2APIC writes of the LVTPC by the mediated vPMU's switch and PMI handling (perf_load_guest_lvtpc()
    /// and perf_put_guest_lvtpc()): WRMSRs of MSR 0x834, priced as such, but not PMU MSR accesses,
    /// so not in <see cref="MsrWrites"/>.
    /// </summary>
    public long LvtpcWrites { get; private set; }

    /// <summary>One physical RDMSR of a register the caller already resolved in the catalog (<paramref name="known"/> false: uncatalogued).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal void CountRead(bool known, MsrRef register)
    {
        MsrReads = Next(MsrReads);
        if (known && (uint)register.Index < InstancesPerRegister)
        {
            ref long slot = ref _reads[(int)register.Id * InstancesPerRegister + register.Index];
            slot = Next(slot);
        }
        else
        {
            UncataloguedAccesses = Next(UncataloguedAccesses);
        }
    }

    /// <summary>One physical WRMSR, as <see cref="CountRead"/>.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal void CountWrite(bool known, MsrRef register)
    {
        MsrWrites = Next(MsrWrites);
        if (known && (uint)register.Index < InstancesPerRegister)
        {
            ref long slot = ref _writes[(int)register.Id * InstancesPerRegister + register.Index];
            slot = Next(slot);
        }
        else
        {
            UncataloguedAccesses = Next(UncataloguedAccesses);
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal void CountRdpmc() => Rdpmcs = Next(Rdpmcs);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal void CountLvtpcWrite() => LvtpcWrites = Next(LvtpcWrites);

    /// <summary>The per-instance slot of a catalogued register with an index below 64 (what <see cref="CountWrite"/> increments).</summary>
    internal static int SlotOf(MsrRef register) => (int)register.Id * InstancesPerRegister + register.Index;

    /// <summary>
    /// A bulk operation's share of <see cref="CountWrite"/> for one WRMSR of a register resolved
    /// once (<see cref="SlotOf"/>): the instance's count only; the operation adds the total with
    /// <see cref="AddTotals"/>. Saturating exactly as one-by-one counting does.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal void CountWriteOfSlot(int slot) => CountWriteOfSlot(_writes, slot);

    /// <summary>The per-instance write counts, for a bulk operation to hold in a local over its loop.</summary>
    internal long[] WriteCounts => _writes;

    /// <summary><see cref="CountWriteOfSlot(int)"/> on <see cref="WriteCounts"/> already loaded.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal static void CountWriteOfSlot(long[] writeCounts, int slot)
    {
        ref long count = ref writeCounts[slot];
        count = Next(count);
    }

    /// <summary>Adds a bulk operation's WRMSRs and RDPMCs to the totals (saturating, as that many single counts would).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal void AddTotals(long writes, long rdpmcs)
    {
        MsrWrites = SaturatingAdd(MsrWrites, writes);
        Rdpmcs = SaturatingAdd(Rdpmcs, rdpmcs);
    }

    /// <summary>value + delta for a non-negative delta, saturating at long.MaxValue (what delta single counts give).</summary>
    private static long SaturatingAdd(long value, long delta) => value > long.MaxValue - delta ? long.MaxValue : value + delta;

    /// <summary>value + 1, saturating at long.MaxValue (a closed-form run of 2^64 exits reaches it).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static long Next(long value) => value == long.MaxValue ? value : value + 1;

    public long ReadsOf(MsrRef register)
    {
        FlushPendingSwitches();
        return Index(register) is int i ? _reads[i] : 0;
    }

    public long WritesOf(MsrRef register)
    {
        FlushPendingSwitches();
        return Index(register) is int i ? _writes[i] : 0;
    }

    /// <summary>Every register instance that was accessed, with its read and write counts, in catalog order.</summary>
    public IReadOnlyList<(MsrRef Register, long Reads, long Writes)> ByRegister()
    {
        FlushPendingSwitches();
        var result = new List<(MsrRef, long, long)>();
        foreach (var id in MsrCatalog.Ids)
        {
            for (int n = 0; n < InstancesPerRegister; n++)
            {
                int slot = (int)id * InstancesPerRegister + n;
                if (_reads[slot] != 0 || _writes[slot] != 0)
                {
                    result.Add((new MsrRef(id, n), _reads[slot], _writes[slot]));
                }
            }
        }

        return result;
    }

    public void Reset()
    {
        DiscardPendingSwitches();
        Array.Clear(_reads);
        Array.Clear(_writes);
        MsrReads = MsrWrites = Rdpmcs = UncataloguedAccesses = LvtpcWrites = 0;
    }

    private static int? Index(MsrRef register) =>
        (uint)register.Index < InstancesPerRegister ? (int)register.Id * InstancesPerRegister + register.Index : null;
}
