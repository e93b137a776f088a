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

    internal void CountRead(uint address, MsrProfile profile)
    {
        MsrReads++;
        if (Slot(address, profile) is int slot)
        {
            _reads[slot]++;
        }
        else
        {
            UncataloguedAccesses++;
        }
    }

    internal void CountWrite(uint address, MsrProfile profile)
    {
        MsrWrites++;
        if (Slot(address, profile) is int slot)
        {
            _writes[slot]++;
        }
        else
        {
            UncataloguedAccesses++;
        }
    }

    internal void CountRdpmc() => Rdpmcs++;

    public long ReadsOf(MsrRef register) => Index(register) is int i ? _reads[i] : 0;

    public long WritesOf(MsrRef register) => Index(register) is int i ? _writes[i] : 0;

    /// <summary>Every register instance that was accessed, with its read and write counts, in catalog order.</summary>
    public IReadOnlyList<(MsrRef Register, long Reads, long Writes)> ByRegister()
    {
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
        Array.Clear(_reads);
        Array.Clear(_writes);
        MsrReads = MsrWrites = Rdpmcs = UncataloguedAccesses = 0;
    }

    private static int? Slot(uint address, MsrProfile profile) =>
        MsrCatalog.TryFind(address, profile, out var register) ? Index(register) : null;

    private static int? Index(MsrRef register) =>
        (uint)register.Index < InstancesPerRegister ? (int)register.Id * InstancesPerRegister + register.Index : null;
}
