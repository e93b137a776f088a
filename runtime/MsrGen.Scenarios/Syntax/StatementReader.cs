using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace MsrGen.Scenarios;

/// <summary>
/// Reads one line against the statement table: keyword path, then positional operands, flags and
/// KEY=VALUE pairs in any order, then an optional <c>=&gt; RESULT</c>. Every problem on the line is
/// reported; a line with any problem yields no statement.
/// </summary>
internal sealed partial class StatementReader
{
    private readonly string path;
    private readonly ScenarioParserOptions options;
    private readonly List<ScenarioDiagnostic> diagnostics;
    private readonly HashSet<string> presets;
    private readonly HashSet<string>? costPrimitives;

    public StatementReader(string path, ScenarioParserOptions options, List<ScenarioDiagnostic> diagnostics)
    {
        this.path = path;
        this.options = options;
        this.diagnostics = diagnostics;
        presets = new HashSet<string>(options.Presets, StringComparer.OrdinalIgnoreCase);
        costPrimitives = options.CostPrimitives is null ? null : new HashSet<string>(options.CostPrimitives, StringComparer.OrdinalIgnoreCase);
    }

    public Statement? Read(SourceLine line)
    {
        int errorsBefore = diagnostics.Count;
        var definition = MatchKeywords(line.Tokens, out int keywordCount);
        if (definition is null)
        {
            return null;
        }

        var syntax = new StatementSyntax(line.Tokens[0].Span);
        var rest = line.Tokens.Skip(keywordCount).ToList();
        var lastKeyword = line.Tokens[keywordCount - 1];
        if (definition.IsFreeText)
        {
            if (rest.Count == 0)
            {
                Error(lastKeyword.Line, lastKeyword.EndColumn + 1, $"missing TEXT for '{definition.DisplayName}'");
            }
            else
            {
                syntax.Text = line.Text[rest[0].Offset..rest[^1].EndOffset];
            }
        }
        else
        {
            int arrow = rest.FindIndex(t => t.Kind == TokenKind.Arrow);
            var body = arrow < 0 ? rest : rest[..arrow];
            ReadBody(definition, body, body.Count > 0 ? body[^1] : lastKeyword, syntax);
            if (arrow >= 0)
            {
                ReadResult(definition, rest[arrow], rest[(arrow + 1)..], syntax);
            }
        }

        return diagnostics.Count == errorsBefore ? definition.Build(syntax) : null;
    }

    // ---- Keywords --------------------------------------------------------------------------

    private StatementDefinition? MatchKeywords(IReadOnlyList<Token> tokens, out int count)
    {
        bool IsKeyword(int i) => i < tokens.Count && tokens[i].Kind == TokenKind.Word && !StartsPair(tokens, i);

        bool HasPrefix(StatementDefinition d, int length) =>
            d.Path.Count >= length
            && Enumerable.Range(0, length).All(i => string.Equals(d.Path[i], tokens[i].Text, StringComparison.OrdinalIgnoreCase));

        int depth = 0;
        StatementDefinition? best = null;
        int bestLength = 0;
        while (IsKeyword(depth) && StatementTable.All.Any(d => HasPrefix(d, depth + 1)))
        {
            depth++;
            var exact = StatementTable.All.FirstOrDefault(d => d.Path.Count == depth && HasPrefix(d, depth));
            if (exact is not null)
            {
                (best, bestLength) = (exact, depth);
            }
        }

        count = depth;
        if (best is not null && bestLength == depth)
        {
            return best;
        }

        if (depth == 0)
        {
            Error(tokens[0], $"unknown statement '{tokens[0].Text}'");
            return null;
        }

        // The words so far only start longer statements ("host perf", "guest lvtpc").
        var group = StatementTable.All.First(d => HasPrefix(d, depth));
        var prefix = string.Join(' ', group.Path.Take(depth));
        var followers = Alternatives(StatementTable.All.Where(d => d.Path.Count > depth && HasPrefix(d, depth)).Select(d => d.Path[depth]).Distinct());
        if (depth < tokens.Count && tokens[depth].Kind == TokenKind.Word)
        {
            Error(tokens[depth], $"unknown statement '{prefix} {tokens[depth].Text}'; '{prefix}' is followed by {followers}");
        }
        else
        {
            Error(tokens[depth - 1].Line, tokens[depth - 1].EndColumn + 1, $"incomplete statement '{prefix}'; expected {followers}");
        }

        return null;
    }

    // ---- Operands, flags and pairs ---------------------------------------------------------

    private void ReadBody(StatementDefinition definition, List<Token> body, Token anchor, StatementSyntax syntax)
    {
        int positional = 0;
        var keysSeen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < body.Count; i++)
        {
            var token = body[i];
            if (token.Kind == TokenKind.Word && StartsPair(body, i))
            {
                keysSeen.Add(token.Text.ToLowerInvariant());
                var equals = body[i + 1];
                if (i + 2 < body.Count && body[i + 2].Kind == TokenKind.Word && body[i + 2].Offset == equals.EndOffset)
                {
                    ReadPair(definition, token, body[i + 2], syntax);
                    i += 2;
                }
                else if (i + 2 < body.Count && body[i + 2].Kind == TokenKind.Word)
                {
                    Error(equals.Line, equals.EndColumn, $"unexpected space after '{token.Text}='; write KEY=VALUE without spaces");
                    i += 2;
                }
                else
                {
                    Error(equals.Line, equals.EndColumn, $"missing value after '{token.Text}='");
                    i += 1;
                }
            }
            else if (positional < definition.Operands.Count)
            {
                var operands = definition.Operands;
                if (token.Kind == TokenKind.Operator && operands[positional].Kind != OperandKind.Comparison
                    && positional + 1 < operands.Count && operands[positional + 1].Kind == OperandKind.Comparison)
                {
                    // "expect == 3": the operand before the operator is missing; read the rest normally.
                    Error(token, $"missing {operands[positional].Label} before '{token.Text}'");
                    positional++;
                }

                ReadOperand(operands[positional++], token, syntax);
            }
            else if (token.Kind == TokenKind.Word && definition.Flags.Contains(token.Text.ToLowerInvariant()))
            {
                if (!syntax.Flags.Add(token.Text.ToLowerInvariant()))
                {
                    Error(token, $"duplicate flag '{token.Text}'");
                }
            }
            else
            {
                Error(token, $"unexpected '{token.Text}'{ExpectedAfter(definition)}");
            }
        }

        int missingColumn = anchor.EndColumn + 1;
        if (positional < definition.Operands.Count)
        {
            Error(anchor.Line, missingColumn, $"missing {definition.Operands[positional].Label} for '{definition.DisplayName}'");
        }

        foreach (var key in definition.Keys.Where(k => k.Required && !keysSeen.Contains(k.Name)))
        {
            Error(anchor.Line, missingColumn, $"missing {key.Name}={ValuePlaceholder(key)} for '{definition.DisplayName}'");
        }

        if (definition.RequiresPairs && keysSeen.Count == 0)
        {
            var placeholder = definition.ExtraKeys switch
            {
                ExtraKeys.Events => "EVENT=COUNT",
                ExtraKeys.CostPrimitives => "PRIMITIVE=N",
                _ => "KEY=VALUE",
            };
            Error(anchor.Line, missingColumn, $"missing {placeholder} for '{definition.DisplayName}'");
        }
    }

    private void ReadOperand(OperandSpec spec, Token token, StatementSyntax syntax)
    {
        if (spec.Kind == OperandKind.Comparison)
        {
            if (token.Kind == TokenKind.Operator && ComparisonOperators.TryParse(token.Text, out var op))
            {
                syntax.Operands.Add(op);
            }
            else
            {
                Error(token, $"expected a comparison operator (== != < <= > >=), found '{token.Text}'");
            }

            return;
        }

        if (token.Kind != TokenKind.Word)
        {
            Error(token, $"expected {spec.Label}, found '{token.Text}'");
            return;
        }

        object? value = spec.Kind switch
        {
            OperandKind.Number => ParseNumberIn(token, spec.Range, $"'{spec.Label}'"),
            OperandKind.Number32 => ParseNumber32(token),
            OperandKind.Msr => ParseMsr(token),
            OperandKind.Name => ParseName(token),
            OperandKind.Preset => ParsePreset(token),
            OperandKind.Event => ParseEvent(token),
            OperandKind.Metric => ParseMetric(token),
            _ => ParseChoice(token, spec.Choices, null),
        };
        if (value is not null)
        {
            syntax.Operands.Add(value);
        }
    }

    private void ReadPair(StatementDefinition definition, Token key, Token value, StatementSyntax syntax)
    {
        var name = key.Text.ToLowerInvariant();
        var spec = definition.FindKey(name);
        if (spec is null && definition.ExtraKeys == ExtraKeys.Events)
        {
            ReadEventCount(key, value, syntax);
            return;
        }

        if (spec is null && !IsAcceptedExtraKey(definition, key, name))
        {
            return;
        }

        if (!syntax.SettingKeys.Add(name))
        {
            Error(key, $"duplicate key '{key.Text}'");
            return;
        }

        SettingValue? parsed = spec?.Kind switch
        {
            ValueKind.Number => ParseNumberIn(value, spec.Range, $"'{key.Text}'") is ulong n ? new NumberValue(n) : null,
            ValueKind.Switch => ParseChoice(value, ["on", "off"], name) is string s ? new SwitchValue(s == "on") : null,
            ValueKind.Choice => ParseChoice(value, spec.Choices, name) is string c ? new WordValue(c) : null,
            ValueKind.Name => ParseName(value) is string w ? new WordValue(w) : null,
            ValueKind.NumberList => ParseNumberList(name, value) is { } list ? new NumberListValue(list) : null,
            null when definition.ExtraKeys == ExtraKeys.CostPrimitives => ParseNumber(value) is ulong n ? new NumberValue(n) : null,
            _ => new WordValue(value.Text),
        };
        if (parsed is not null)
        {
            syntax.Settings.Add(new Setting(key.Span, name, parsed));
        }
    }

    private bool IsAcceptedExtraKey(StatementDefinition definition, Token key, string name)
    {
        switch (definition.ExtraKeys)
        {
            case ExtraKeys.CostPrimitives:
                bool known = costPrimitives?.Contains(name) ?? CostPrimitivePattern().IsMatch(name);
                if (!known)
                {
                    Error(key, $"unknown cost primitive '{key.Text}'");
                }

                return known;
            case ExtraKeys.Free:
                bool valid = FreeKeyPattern().IsMatch(name);
                if (!valid)
                {
                    Error(key, $"bad key '{key.Text}'; keys are letters, digits, '.', '_' and '-'");
                }

                return valid;
            default:
                var expected = definition.Keys.Count > 0
                    ? "; expected " + Alternatives(definition.Keys.Select(k => k.Name))
                    : $"; '{definition.DisplayName}' takes no KEY=VALUE pairs";
                Error(key, $"unknown key '{key.Text}' for '{definition.DisplayName}'{expected}");
                return false;
        }
    }

    private void ReadEventCount(Token key, Token value, StatementSyntax syntax)
    {
        var spec = ParseEvent(key);
        var count = ParseNumber(value);
        if (spec is not EventSpec eventSpec || count is not ulong n)
        {
            return;
        }

        if (!syntax.EventSpecs.Add(eventSpec))
        {
            Error(key, $"duplicate event '{key.Text}'");
            return;
        }

        syntax.Events.Add(new EventCount(key.Span, eventSpec, n));
    }

    // KEY=VALUE is written without spaces around '=', which keeps "expect exits = 3" a (bad) comparison.
    private static bool StartsPair(IReadOnlyList<Token> tokens, int index) =>
        index + 1 < tokens.Count && tokens[index + 1].Kind == TokenKind.Equals && tokens[index + 1].Offset == tokens[index].EndOffset;

    private static string ExpectedAfter(StatementDefinition definition)
    {
        var parts = new List<string>();
        parts.AddRange(definition.Flags);
        parts.AddRange(definition.Keys.Select(k => k.Name + "=" + ValuePlaceholder(k)));
        return parts.Count == 0
            ? $"; '{definition.DisplayName}' takes no more operands"
            : $"; '{definition.DisplayName}' takes {Alternatives(parts)}";
    }

    private static string ValuePlaceholder(KeySpec key) => key.Kind switch
    {
        ValueKind.Switch => "on|off",
        ValueKind.Choice => string.Join('|', key.Choices),
        ValueKind.Name => "NAME",
        ValueKind.NumberList => "V,V,...",
        _ => "N",
    };

    internal static string Alternatives(IEnumerable<string> words)
    {
        var list = words.ToList();
        return list.Count <= 1 ? string.Concat(list) : string.Join(", ", list.Take(list.Count - 1)) + " or " + list[^1];
    }

    private void Error(Token token, string message) => Error(token.Line, token.Column, message);

    private void Error(int line, int column, string message) => diagnostics.Add(new ScenarioDiagnostic(path, line, column, message));

    [GeneratedRegex("^[a-z0-9.-]+$")]
    private static partial Regex CostPrimitivePattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]*$")]
    private static partial Regex FreeKeyPattern();
}
