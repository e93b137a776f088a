using System;
using System.Collections.Generic;
using System.IO;
using MsrGen.Registers;
using MsrGen.Scenarios;

namespace MsrGen.Runtime.Traces;

/// <summary>The decode summary: accesses per register and per CPU, reprogramming, flags. Bounded by the catalog and the CPU count.</summary>
public sealed class TraceDecodeSummary
{
    private const int MaxOtherAddresses = 16;

    private readonly Dictionary<MsrRef, long[]> _byRegister = new();
    private readonly SortedDictionary<int, long> _byCpu = new();
    private readonly Dictionary<uint, long> _otherMsrs = new();
    private readonly Dictionary<TraceAccessFlags, long> _flags = new();

    public long PmuAccesses { get; private set; }
    public long Reprograms { get; private set; }
    public long WouldFault { get; private set; }
    public long FailedInTrace { get; private set; }
    public long OtherMsrAccesses { get; private set; }
    public ulong FirstTimestamp { get; private set; } = ulong.MaxValue;
    public ulong LastTimestamp { get; private set; }

    /// <summary>Per register instance (MsrId.None: RDPMC of an invalid index): RDMSR, WRMSR, RDPMC counts.</summary>
    public IReadOnlyDictionary<MsrRef, long[]> ByRegister => _byRegister;
    public IReadOnlyDictionary<int, long> ByCpu => _byCpu;
    public IReadOnlyDictionary<uint, long> OtherMsrs => _otherMsrs;
    public IReadOnlyDictionary<TraceAccessFlags, long> Flags => _flags;

    internal void Count(in TraceAccess access, in DecodedAccess d)
    {
        PmuAccesses++;
        FirstTimestamp = Math.Min(FirstTimestamp, access.Timestamp);
        LastTimestamp = Math.Max(LastTimestamp, access.Timestamp);
        var key = d.Known ? d.Register : default;
        if (!_byRegister.TryGetValue(key, out var counts))
        {
            counts = new long[3];
            _byRegister[key] = counts;
        }

        counts[(int)access.Kind]++;
        _byCpu[access.Cpu] = _byCpu.GetValueOrDefault(access.Cpu) + 1;
        if (d.Reprograms)
        {
            Reprograms++;
        }

        if (d.WouldFault)
        {
            WouldFault++;
        }

        if ((d.Flags & TraceAccessFlags.FailedInTrace) != 0)
        {
            FailedInTrace++;
        }

        for (int bit = 0; bit < 7; bit++)
        {
            var flag = (TraceAccessFlags)(1 << bit);
            if ((d.Flags & flag) != 0)
            {
                _flags[flag] = _flags.GetValueOrDefault(flag) + 1;
            }
        }
    }

    internal void CountOther(in TraceAccess access)
    {
        OtherMsrAccesses++;
        if (_otherMsrs.ContainsKey(access.Index) || _otherMsrs.Count < MaxOtherAddresses)
        {
            _otherMsrs[access.Index] = _otherMsrs.GetValueOrDefault(access.Index) + 1;
        }
    }
}
