using System.Collections.Generic;

namespace MsrGen.Scenarios;

/// <summary>
/// A statement as the generic reader saw it: typed operands, pairs, flags, result, free text.
/// Builders in the statement table turn it into an AST record; they run only on error-free lines,
/// so every declared operand is present and of its declared type.
/// </summary>
internal sealed class StatementSyntax(SourceSpan span)
{
    public SourceSpan Span { get; } = span;

    public List<object> Operands { get; } = [];

    public List<Setting> Settings { get; } = [];

    public List<EventCount> Events { get; } = [];

    public HashSet<string> Flags { get; } = [];

    /// <summary>Keys seen so far (lower-case), so that duplicate checks stay linear in the line's length.</summary>
    public HashSet<string> SettingKeys { get; } = new(System.StringComparer.Ordinal);

    /// <summary>Events seen so far in EVENT=COUNT pairs.</summary>
    public HashSet<EventSpec> EventSpecs { get; } = [];

    public Expectation? Expect { get; set; }

    public string Text { get; set; } = string.Empty;

    public ulong Number(int index) => (ulong)Operands[index];

    public uint Number32(int index) => (uint)(ulong)Operands[index];

    public string Word(int index) => (string)Operands[index];

    public MsrOperand Msr(int index) => (MsrOperand)Operands[index];

    public EventSpec Event(int index) => (EventSpec)Operands[index];

    public Metric Metric(int index) => (Metric)Operands[index];

    public ComparisonOperator Comparison(int index) => (ComparisonOperator)Operands[index];

    public bool Flag(string name) => Flags.Contains(name);

    public SettingList SettingsExcept(string key) => new(Settings.FindAll(s => s.Key != key));

    public SettingList AllSettings => new(Settings);

    public EquatableList<EventCount> EventCounts => new(Events);

    public ulong? Number(string key) => (FindSetting(key)?.Value as NumberValue)?.Value;

    public string? Word(string key) => (FindSetting(key)?.Value as WordValue)?.Word;

    public EquatableList<ulong>? Numbers(string key) => (FindSetting(key)?.Value as NumberListValue)?.Values;

    private Setting? FindSetting(string key) => Settings.Find(s => s.Key == key);
}
