using System;
using System.Collections.Generic;
using System.Linq;

namespace MsrGen.Scenarios;

/// <summary>What a positional operand must be.</summary>
internal enum OperandKind
{
    Number,

    /// <summary>A number that must fit in 32 bits (RDPMC's ECX).</summary>
    Number32,

    /// <summary>A number or a register name.</summary>
    Msr,

    /// <summary>A user-chosen name (perf event, VM): <c>[A-Za-z_][A-Za-z0-9_.-]*</c>, case kept.</summary>
    Name,

    Preset,
    Event,
    Metric,
    Comparison,

    /// <summary>One of a fixed set of words (see <see cref="OperandSpec.Choices"/>), lower-cased.</summary>
    Choice,
}

/// <summary>What the value of a declared key must be.</summary>
internal enum ValueKind
{
    Number,
    Switch,
    Choice,
    Name,
    NumberList,
}

/// <summary>Which undeclared keys a statement takes.</summary>
internal enum ExtraKeys
{
    None,

    /// <summary>EVENT=COUNT pairs (<c>guest run</c>).</summary>
    Events,

    /// <summary>PRIMITIVE=N pairs, checked against the options' cost primitives.</summary>
    CostPrimitives,

    /// <summary>Any KEY=WORD pair (<c>report</c>).</summary>
    Free,
}

/// <summary>The results a statement accepts after <c>=&gt;</c>.</summary>
[Flags]
internal enum ResultKinds
{
    None = 0,
    Value = 1 << 0,
    Comparison = 1 << 1,
    Ok = 1 << 2,
    GeneralProtection = 1 << 3,
    Error = 1 << 4,
    Ebusy = 1 << 5,
    Eopnotsupp = 1 << 6,
    Einval = 1 << 7,
    E2big = 1 << 8,
    Clean = 1 << 9,
    Polluted = 1 << 10,

    Read = Value | Comparison,
    AnyErrno = Ebusy | Eopnotsupp | Einval | E2big,
}

internal sealed record OperandSpec(OperandKind Kind, string Label, IReadOnlyList<string> Choices)
{
    /// <summary>The values a number operand may take (inclusive); the whole 64-bit range by default.</summary>
    public NumberRange Range { get; init; } = NumberRange.Any;
}

internal sealed record KeySpec(string Name, ValueKind Kind, IReadOnlyList<string> Choices, bool Required)
{
    /// <summary>The values a number key may take (inclusive); the whole 64-bit range by default.</summary>
    public NumberRange Range { get; init; } = NumberRange.Any;
}

/// <summary>An inclusive range of numbers and what it stands for (shown in the error message).</summary>
internal sealed record NumberRange(ulong Min, ulong Max, string? Meaning = null)
{
    public static NumberRange Any { get; } = new(0, ulong.MaxValue);

    public bool Contains(ulong value) => value >= Min && value <= Max;

    public string Describe()
    {
        string range = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Min}..{Max}");
        return Meaning is null ? range : $"{range} ({Meaning})";
    }
}

/// <summary>
/// One row of the statement table: the keyword path, what may follow it, and how to build the AST
/// record from the generic reading. The reader knows nothing else about any statement.
/// </summary>
internal sealed class StatementDefinition
{
    private readonly List<OperandSpec> operands = [];
    private readonly List<KeySpec> keys = [];
    private readonly List<string> flags = [];

    public StatementDefinition(params string[] path) => Path = path;

    public IReadOnlyList<string> Path { get; }

    public string DisplayName => string.Join(' ', Path);

    public IReadOnlyList<OperandSpec> Operands => operands;

    public IReadOnlyList<KeySpec> Keys => keys;

    public IReadOnlyList<string> Flags => flags;

    public ExtraKeys ExtraKeys { get; private set; }

    /// <summary>At least one KEY=VALUE pair is required (<c>guest run</c>, <c>cost</c>, <c>report</c>).</summary>
    public bool RequiresPairs { get; private set; }

    public ResultKinds Results { get; private set; }

    /// <summary>Everything after the keywords is free text (comments still end it).</summary>
    public bool IsFreeText { get; private set; }

    public Func<StatementSyntax, Statement> Build { get; private set; } = _ => throw new InvalidOperationException("statement without a builder");

    public StatementDefinition Operand(OperandKind kind, string label, params string[] choices)
    {
        operands.Add(new OperandSpec(kind, label, choices));
        return this;
    }

    /// <summary>A number operand limited to <paramref name="min"/>..<paramref name="max"/>.</summary>
    public StatementDefinition NumberOperand(string label, ulong min, ulong max, string meaning)
    {
        operands.Add(new OperandSpec(OperandKind.Number, label, []) { Range = new NumberRange(min, max, meaning) });
        return this;
    }

    /// <summary>A number key limited to <paramref name="min"/>..<paramref name="max"/>.</summary>
    public StatementDefinition RangedKey(string name, ulong min, ulong max, string meaning)
    {
        keys.Add(new KeySpec(name, ValueKind.Number, [], Required: false) { Range = new NumberRange(min, max, meaning) });
        return this;
    }

    public StatementDefinition Key(string name, ValueKind kind, params string[] choices)
    {
        keys.Add(new KeySpec(name, kind, choices, Required: false));
        return this;
    }

    public StatementDefinition RequiredKey(string name, ValueKind kind, params string[] choices)
    {
        keys.Add(new KeySpec(name, kind, choices, Required: true));
        return this;
    }

    public StatementDefinition NumberKeys(params string[] names)
    {
        keys.AddRange(names.Select(n => new KeySpec(n, ValueKind.Number, [], Required: false)));
        return this;
    }

    public StatementDefinition SwitchKeys(params string[] names)
    {
        keys.AddRange(names.Select(n => new KeySpec(n, ValueKind.Switch, [], Required: false)));
        return this;
    }

    public StatementDefinition Flag(params string[] names)
    {
        flags.AddRange(names);
        return this;
    }

    public StatementDefinition Extra(ExtraKeys extra, bool atLeastOne)
    {
        ExtraKeys = extra;
        RequiresPairs = atLeastOne;
        return this;
    }

    public StatementDefinition Result(ResultKinds results)
    {
        Results = results;
        return this;
    }

    public StatementDefinition FreeText()
    {
        IsFreeText = true;
        return this;
    }

    public StatementDefinition Builds(Func<StatementSyntax, Statement> build)
    {
        Build = build;
        return this;
    }

    public KeySpec? FindKey(string name) => keys.FirstOrDefault(k => k.Name == name);
}
