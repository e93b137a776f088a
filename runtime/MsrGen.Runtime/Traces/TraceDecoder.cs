using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using MsrGen.Registers;
using MsrGen.Runtime.Hardware;
using MsrGen.Scenarios;

namespace MsrGen.Runtime.Traces;

/// <summary>What a vCPU with the trace's guest capabilities would do with an access, and what the trace says happened.</summary>
[Flags]
public enum TraceAccessFlags
{
    None = 0,
    /// <summary>The MSR does not exist for this vCPU: a guest access takes a #GP.</summary>
    Absent = 1 << 0,
    /// <summary>A counter or select past the vCPU's counter count (an MSR, or RDPMC's index): #GP.</summary>
    CounterPastCount = 1 << 1,
    /// <summary>The write sets reserved bits of a register whose reserved writes fault: #GP.</summary>
    ReservedBitsFault = 1 << 2,
    /// <summary>The write sets reserved bits that KVM drops silently (AMD's event selects and global control).</summary>
    ReservedBitsDropped = 1 << 3,
    /// <summary>A write to a read-only register: #GP.</summary>
    ReadOnlyWrite = 1 << 4,
    /// <summary>A P6/K7 counter alias KVM emulates without a counter: reads 0, writes dropped.</summary>
    AliasWithoutCounter = 1 << 5,
    /// <summary>The traced access itself failed (<c> #GP</c> / <c> (#GP)</c> in the trace).</summary>
    FailedInTrace = 1 << 6,
}

/// <summary>One PMU access as decoded for a vCPU.</summary>
public readonly record struct DecodedAccess(MsrRef Register, bool Known, TraceAccessFlags Flags, ulong OffendingBits, string? EventName, bool Reprograms)
{
    /// <summary>The access would #GP on the vCPU.</summary>
    public bool WouldFault => (Flags & (TraceAccessFlags.Absent | TraceAccessFlags.CounterPastCount | TraceAccessFlags.ReservedBitsFault | TraceAccessFlags.ReadOnlyWrite)) != 0;
}

/// <summary>
/// Decodes traced MSR accesses against a vCPU (<see cref="TraceGuest"/>): the register and its
/// kernel name, its fields through the generated register API (<see cref="MsrCatalog.Decode"/>),
/// the event an event select asks for, what the vCPU would #GP on, and the summary counts. State is
/// bounded: per CPU the last value written to each programming register, and a bounded cache of
/// decoded field texts (values repeat: the same selects and enables are written again and again).
/// </summary>
public sealed class TraceDecoder
{
    private const int FieldCacheLimit = 4096;

    private readonly PmuCaps _caps;
    private readonly MsrProfile _profile;
    private readonly Dictionary<(MsrId, ulong), string> _fieldCache = new();
    private readonly Dictionary<(int Cpu, uint Address), ulong> _lastProgram = new();
    private readonly Dictionary<ulong, string> _eventNames;

    public TraceDecoder(TraceGuest guest)
    {
        ArgumentNullException.ThrowIfNull(guest);
        Guest = guest;
        _caps = guest.Caps;
        _profile = guest.Profile;
        _eventNames = EventNames(_caps.Vendor);
    }

    public TraceGuest Guest { get; }

    public TraceDecodeSummary Summary { get; } = new();

    /// <summary>Looks the access up; false when it is not a PMU access (an MSR outside the catalog).</summary>
    public bool TryDecode(in TraceAccess access, out DecodedAccess decoded)
    {
        decoded = default;
        var flags = access.Faulted ? TraceAccessFlags.FailedInTrace : TraceAccessFlags.None;
        MsrRef register;
        if (access.Kind == TraceAccessKind.Rdpmc)
        {
            bool inRange = TryRdpmcCounter(access.Index, out register);
            if (!inRange)
            {
                flags |= TraceAccessFlags.CounterPastCount;
            }

            decoded = new DecodedAccess(register, inRange || register.Id != MsrId.None, flags, 0, null, false);
            Summary.Count(access, decoded);
            return true;
        }

        if (!MsrCatalog.TryFind(access.Index, _profile, out register))
        {
            Summary.CountOther(access);
            return false;
        }

        ulong offending = 0;
        string? eventName = null;
        bool reprograms = false;
        var descriptor = MsrCatalog.Describe(register.Id);
        if (!MsrCatalog.Exists(register, _caps))
        {
            flags |= IsAlias(register) ? TraceAccessFlags.AliasWithoutCounter
                : IsCounterArray(register.Id) ? TraceAccessFlags.CounterPastCount
                : TraceAccessFlags.Absent;
        }
        else if (access.Kind == TraceAccessKind.Wrmsr)
        {
            if (descriptor is { Access: MsrAccess.ReadOnly })
            {
                flags |= TraceAccessFlags.ReadOnlyWrite;
            }

            offending = access.Value & MsrCatalog.ReservedMask(register, _caps);
            if (offending != 0)
            {
                flags |= descriptor is { ReservedWritesFault: false } ? TraceAccessFlags.ReservedBitsDropped : TraceAccessFlags.ReservedBitsFault;
            }
        }

        if (IsEventSelect(register.Id))
        {
            eventName = EventName(access.Value);
        }

        if (access.Kind == TraceAccessKind.Wrmsr && IsProgramming(register.Id))
        {
            var key = (access.Cpu, access.Index);
            ulong previous = _lastProgram.GetValueOrDefault(key);
            reprograms = previous != access.Value;
            _lastProgram[key] = access.Value;
        }

        decoded = new DecodedAccess(register, true, flags, offending, eventName, reprograms);
        Summary.Count(access, decoded);
        return true;
    }

    /// <summary>One line: time, CPU, access, register (kernel name), value and fields, event, flags.</summary>
    public void Write(TextWriter writer, in TraceAccess access, in DecodedAccess d)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<char> buffer = stackalloc char[32];
        writer.Write(FormatTimestamp(access.Timestamp, access.RawClock, buffer));
        writer.Write("  cpu ");
        writer.Write(access.Cpu.ToString(CultureInfo.InvariantCulture).PadRight(3));
        writer.Write(access.Kind switch
        {
            TraceAccessKind.Rdmsr => " RDMSR ",
            TraceAccessKind.Wrmsr => " WRMSR ",
            _ => " RDPMC ",
        });
        if (access.Kind == TraceAccessKind.Rdpmc)
        {
            writer.Write("ecx=0x");
            writer.Write(access.Index.ToString("x", CultureInfo.InvariantCulture));
            writer.Write(' ');
        }
        else
        {
            writer.Write("0x");
            writer.Write(access.Index.ToString("x", CultureInfo.InvariantCulture));
            writer.Write(' ');
        }

        if (d.Register.Id != MsrId.None)
        {
            writer.Write(MsrCatalog.InstanceName(d.Register));
            if (KernelMsrNames.Of(d.Register) is { } alias)
            {
                writer.Write(" (");
                writer.Write(alias);
                writer.Write(')');
            }
        }

        writer.Write(access.Kind == TraceAccessKind.Wrmsr ? " <- 0x" : " -> 0x");
        writer.Write(access.Value.ToString("x", CultureInfo.InvariantCulture));
        if (d.Register.Id != MsrId.None)
        {
            writer.Write(Fields(d.Register, access.Value));
        }

        if (d.EventName is { } name)
        {
            writer.Write("  [");
            writer.Write(name);
            writer.Write(']');
        }

        if (d.Reprograms)
        {
            writer.Write("  reprogram");
        }

        WriteFlags(writer, access, d);
        writer.WriteLine();
    }

    private void WriteFlags(TextWriter writer, in TraceAccess access, in DecodedAccess d)
    {
        var f = d.Flags;
        if (f == TraceAccessFlags.None)
        {
            return;
        }

        if ((f & TraceAccessFlags.CounterPastCount) != 0)
        {
            writer.Write(access.Kind == TraceAccessKind.Rdpmc
                ? $"  !#GP: RDPMC index past the vCPU's counters ({_caps.GpCounters} GP, {_caps.FixedCounters} fixed)"
                : $"  !#GP: counter past the vCPU's counters ({_caps.GpCounters} GP, {_caps.FixedCounters} fixed)");
        }

        if ((f & TraceAccessFlags.Absent) != 0)
        {
            writer.Write("  !#GP: MSR absent on this vCPU");
        }

        if ((f & TraceAccessFlags.AliasWithoutCounter) != 0)
        {
            writer.Write("  !no such counter: KVM reads 0 and drops writes");
        }

        if ((f & TraceAccessFlags.ReadOnlyWrite) != 0)
        {
            writer.Write("  !#GP: write to a read-only MSR");
        }

        if ((f & TraceAccessFlags.ReservedBitsFault) != 0)
        {
            writer.Write(string.Create(CultureInfo.InvariantCulture, $"  !#GP: reserved {Bits.Describe(d.OffendingBits)} (0x{d.OffendingBits:x})"));
        }

        if ((f & TraceAccessFlags.ReservedBitsDropped) != 0)
        {
            writer.Write(string.Create(CultureInfo.InvariantCulture, $"  !reserved {Bits.Describe(d.OffendingBits)} dropped"));
        }

        if ((f & TraceAccessFlags.FailedInTrace) != 0)
        {
            writer.Write("  !failed in the trace (#GP)");
        }
    }

    /// <summary>The field text after the value (<c> EVENT_SELECT=0xC0 USR OS EN</c>), cached for values that repeat.</summary>
    private string Fields(MsrRef register, ulong value)
    {
        if (IsCounter(register.Id))
        {
            return "";
        }

        var key = (register.Id, value);
        if (_fieldCache.TryGetValue(key, out var text))
        {
            return text;
        }

        if (_fieldCache.Count >= FieldCacheLimit)
        {
            _fieldCache.Clear();
        }

        text = Strip(register, value);
        _fieldCache[key] = text;
        return text;
    }

    private static string Strip(MsrRef register, ulong value)
    {
        string decoded = MsrCatalog.Decode(register, value);
        int hex = decoded.IndexOf(" = 0x", StringComparison.Ordinal);
        if (hex < 0)
        {
            return "";
        }

        int end = hex + 5;
        while (end < decoded.Length && decoded[end] != ' ')
        {
            end++;
        }

        return decoded[end..];
    }

    internal static ReadOnlySpan<char> FormatTimestamp(ulong timestamp, bool raw, Span<char> buffer)
    {
        if (raw)
        {
            timestamp.TryFormat(buffer, out int n, default, CultureInfo.InvariantCulture);
            return buffer[..n];
        }

        (timestamp / 1_000_000_000).TryFormat(buffer, out int s, default, CultureInfo.InvariantCulture);
        buffer[s] = '.';
        (timestamp % 1_000_000_000).TryFormat(buffer[(s + 1)..], out int f, "D9", CultureInfo.InvariantCulture);
        return buffer[..(s + 1 + f)];
    }

    /// <summary>The counter RDPMC's ECX selects on this vCPU (Intel: bit 30 fixed, index in 15:0; AMD: the index).</summary>
    private bool TryRdpmcCounter(uint ecx, out MsrRef register)
    {
        register = default;
        if (_caps.IsAmd)
        {
            register = new MsrRef(_caps.Has(PmuFeatures.PerfctrCore) ? MsrId.MsrF15hPerfCtr : MsrId.MsrK7Perfctr, (int)Math.Min(ecx, 64));
            return ecx < (uint)_caps.GpCounters;
        }

        uint type = ecx & 0xFFFF_0000;
        uint index = ecx & 0xFFFF;
        if (type == PhysicalPmu.RdpmcFixed)
        {
            register = new MsrRef(MsrId.Ia32FixedCtr, (int)index);
            return index < (uint)_caps.FixedCounters;
        }

        if (type == 0)
        {
            register = new MsrRef(MsrId.Ia32Pmc, (int)index);
            return index < (uint)_caps.GpCounters;
        }

        return false;
    }

    private string? EventName(ulong select) =>
        _eventNames.TryGetValue(HardwareEvent.FromEventSelect(select, _caps.Vendor), out var name) ? name : null;

    /// <summary>Named events of the scenario language (and Intel's level-1 topdown events) by encoding.</summary>
    private static Dictionary<ulong, string> EventNames(CpuVendor vendor)
    {
        var names = new Dictionary<ulong, string>();
        foreach (EventKind kind in Enum.GetValues<EventKind>())
        {
            if (kind == EventKind.Raw)
            {
                continue;
            }

            ulong encoding = HardwareEvent.Encode(kind, vendor);
            if (encoding != HardwareEvent.Undefined)
            {
                names.TryAdd(encoding, EventSpec.NameOf(kind));
            }
        }

        if (vendor == CpuVendor.Intel)
        {
            names.TryAdd(HardwareEvent.TopdownSlots, "topdown-slots");
            names.TryAdd(HardwareEvent.TopdownRetiring, "topdown-retiring");
            names.TryAdd(HardwareEvent.TopdownBadSpeculation, "topdown-bad-spec");
            names.TryAdd(HardwareEvent.TopdownFrontendBound, "topdown-fe-bound");
            names.TryAdd(HardwareEvent.TopdownBackendBound, "topdown-be-bound");
        }

        return names;
    }

    internal static bool IsEventSelect(MsrId id) => id is MsrId.Ia32Perfevtsel or MsrId.MsrK7Evntsel or MsrId.MsrF15hPerfCtl;

    internal static bool IsCounter(MsrId id) =>
        id is MsrId.Ia32Pmc or MsrId.Ia32APmc or MsrId.Ia32FixedCtr or MsrId.MsrK7Perfctr or MsrId.MsrF15hPerfCtr;

    internal static bool IsCounterArray(MsrId id) =>
        id is MsrId.Ia32Pmc or MsrId.Ia32APmc or MsrId.Ia32FixedCtr or MsrId.MsrK7Perfctr or MsrId.MsrF15hPerfCtr
            or MsrId.Ia32Perfevtsel or MsrId.MsrK7Evntsel or MsrId.MsrF15hPerfCtl;

    /// <summary>Registers whose writes program what the PMU counts: selects, fixed control, global control.</summary>
    internal static bool IsProgramming(MsrId id) =>
        IsEventSelect(id) || id is MsrId.Ia32FixedCtrCtrl or MsrId.Ia32PerfGlobalCtrl or MsrId.MsrAmd64PerfCntrGlobalCtl;

    private static bool IsAlias(MsrRef register) => register.Id switch
    {
        MsrId.Ia32Pmc or MsrId.Ia32Perfevtsel => register.Index < 2,
        MsrId.MsrK7Evntsel or MsrId.MsrK7Perfctr => true,
        _ => false,
    };
}
