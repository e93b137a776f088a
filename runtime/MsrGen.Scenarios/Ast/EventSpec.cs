using System;
using System.Globalization;
using System.Linq;

namespace MsrGen.Scenarios;

public enum EventKind
{
    Raw,
    Instructions,
    Branches,
    BranchMisses,
    Cycles,
    RefCycles,
    LlcReferences,
    LlcMisses,
}

/// <summary>
/// An event of <c>guest run</c>, <c>host run</c> or <c>host perf open</c>: a named architectural
/// event (encoded per vendor by the runtime) or a raw umask / event select / AMD high event nibble.
/// </summary>
public readonly record struct EventSpec(EventKind Kind, byte Umask, byte EventSelect, byte EventSelectHigh)
{
    /// <summary>Largest raw value: <c>0xEUUEE</c>.</summary>
    public const ulong MaxRaw = 0xF_FFFF;

    public bool IsRaw => Kind == EventKind.Raw;

    /// <summary>The raw event in event-select register layout: EE at 7:0, UU at 15:8, E at 35:32.</summary>
    public ulong EventSelectBits => ((ulong)EventSelectHigh << 32) | ((ulong)Umask << 8) | EventSelect;

    public static EventSpec Named(EventKind kind) => new(kind, 0, 0, 0);

    public static EventSpec Raw(byte umask, byte eventSelect, byte eventSelectHigh = 0) =>
        new(EventKind.Raw, umask, eventSelect, (byte)(eventSelectHigh & 0xF));

    /// <summary>Decodes the number written after <c>raw:</c> (<c>0xUUEE</c> or <c>0xEUUEE</c>).</summary>
    public static EventSpec FromRawNumber(ulong value) =>
        Raw((byte)(value >> 8), (byte)value, (byte)((value >> 16) & 0xF));

    public static bool TryParseName(string name, out EventKind kind)
    {
        (var ok, kind) = name.ToLowerInvariant() switch
        {
            "instructions" => (true, EventKind.Instructions),
            "branches" => (true, EventKind.Branches),
            "branch-misses" => (true, EventKind.BranchMisses),
            "cycles" => (true, EventKind.Cycles),
            "ref-cycles" => (true, EventKind.RefCycles),
            "llc-references" => (true, EventKind.LlcReferences),
            "llc-misses" => (true, EventKind.LlcMisses),
            _ => (false, EventKind.Raw),
        };
        return ok;
    }

    public static string NameOf(EventKind kind) => kind switch
    {
        EventKind.Instructions => "instructions",
        EventKind.Branches => "branches",
        EventKind.BranchMisses => "branch-misses",
        EventKind.Cycles => "cycles",
        EventKind.RefCycles => "ref-cycles",
        EventKind.LlcReferences => "llc-references",
        EventKind.LlcMisses => "llc-misses",
        _ => "raw",
    };

    /// <summary>Intel architectural encoding (event select, umask) of a named event.</summary>
    public static bool TryGetIntelEncoding(EventKind kind, out byte eventSelect, out byte umask)
    {
        (eventSelect, umask) = kind switch
        {
            EventKind.Instructions => ((byte)0xC0, (byte)0x00),
            EventKind.Cycles => ((byte)0x3C, (byte)0x00),
            EventKind.RefCycles => ((byte)0x3C, (byte)0x01),
            EventKind.Branches => ((byte)0xC4, (byte)0x00),
            EventKind.BranchMisses => ((byte)0xC5, (byte)0x00),
            EventKind.LlcReferences => ((byte)0x2E, (byte)0x4F),
            EventKind.LlcMisses => ((byte)0x2E, (byte)0x41),
            _ => ((byte)0, (byte)0),
        };
        return kind != EventKind.Raw;
    }

    /// <summary>AMD encoding of a named event; only the four events AMD defines architecturally have one.</summary>
    public static bool TryGetAmdEncoding(EventKind kind, out byte eventSelect)
    {
        eventSelect = kind switch
        {
            EventKind.Cycles => 0x76,
            EventKind.Instructions => 0xC0,
            EventKind.Branches => 0xC2,
            EventKind.BranchMisses => 0xC3,
            _ => 0,
        };
        return eventSelect != 0;
    }

    public override string ToString()
    {
        if (!IsRaw)
        {
            return NameOf(Kind);
        }

        return EventSelectHigh == 0
            ? string.Create(CultureInfo.InvariantCulture, $"raw:0x{Umask:x2}{EventSelect:x2}")
            : string.Create(CultureInfo.InvariantCulture, $"raw:0x{EventSelectHigh:x1}{Umask:x2}{EventSelect:x2}");
    }
}

/// <summary><c>EVENT=COUNT</c> in <c>guest run</c>, <c>guest emulate</c> and <c>host run</c>.</summary>
public sealed record EventCount(SourceSpan Span, EventSpec Event, ulong Count);

/// <summary>An MSR operand: the address, and the register name when it was written as one (upper-cased).</summary>
public sealed record MsrOperand(SourceSpan Span, uint Address, string? Name)
{
    public override string ToString() => Name ?? string.Create(CultureInfo.InvariantCulture, $"0x{Address:x}");
}

/// <summary>A metric name of <c>expect</c>: lower-case, dotted. Unknown names are the runtime's to reject.</summary>
public sealed record Metric(SourceSpan Span, string Name)
{
    /// <summary>The metrics the scenario language defines.</summary>
    public static EquatableList<string> ContractNames { get; } = new(
    [
        "entries", "exits", "exits.msr", "exits.rdpmc", "gp", "pmis",
        "hw.msr-reads", "hw.msr-writes", "hw.rdpmc", "perf.creates", "perf.releases", "cost",
    ]);

    public bool IsContractMetric => ContractNames.Contains(Name, StringComparer.Ordinal);
}
