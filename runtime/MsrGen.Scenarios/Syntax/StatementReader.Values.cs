using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace MsrGen.Scenarios;

/// <summary>Typed values of operands, pairs and results; each failure is reported at its token.</summary>
internal sealed partial class StatementReader
{
    private static readonly string EventNames =
        Alternatives(["instructions", "branches", "branch-misses", "cycles", "ref-cycles", "llc-references", "llc-misses", "raw:0xUUEE", "raw:0xEUUEE"]);

    private ulong? ParseNumber(Token token) => ParseNumber(token, token.Text, token.Column);

    private ulong? ParseNumber(Token token, string text, int column)
    {
        if (NumberLiteral.TryParse(text, out var value) is { } message)
        {
            Error(token.Line, column, message);
            return null;
        }

        return value;
    }

    /// <summary>A number that must lie in <paramref name="range"/>; the error names what it is for, the value and the range.</summary>
    private ulong? ParseNumberIn(Token token, NumberRange range, string what)
    {
        var value = ParseNumber(token);
        if (value is ulong v && !range.Contains(v))
        {
            Error(token, $"value '{token.Text}' for {what} is out of range; allowed {range.Describe()}");
            return null;
        }

        return value;
    }

    private ulong? ParseNumber32(Token token)
    {
        var value = ParseNumber(token);
        if (value > uint.MaxValue)
        {
            Error(token, $"'{token.Text}' does not fit in 32 bits");
            return null;
        }

        return value;
    }

    private MsrOperand? ParseMsr(Token token)
    {
        if (NumberLiteral.LooksNumeric(token.Text))
        {
            var value = ParseNumber(token);
            if (value > uint.MaxValue)
            {
                Error(token, $"MSR address '{token.Text}' does not fit in 32 bits");
                return null;
            }

            return value is ulong address ? new MsrOperand(token.Span, (uint)address, null) : null;
        }

        var name = token.Text.ToUpperInvariant();
        if (options.Registers.TryResolve(name, out var resolved))
        {
            return new MsrOperand(token.Span, resolved, name);
        }

        Error(token, $"unknown register name '{token.Text}'");
        return null;
    }

    private string? ParseName(Token token)
    {
        if (NamePattern().IsMatch(token.Text))
        {
            return token.Text;
        }

        Error(token, $"bad name '{token.Text}'; a name starts with a letter or '_' and holds letters, digits, '_', '.' and '-'");
        return null;
    }

    private string? ParsePreset(Token token)
    {
        if (presets.Contains(token.Text))
        {
            return token.Text.ToLowerInvariant();
        }

        var known = Alternatives(options.Presets.Select(p => p.ToLowerInvariant()).Order(StringComparer.Ordinal));
        Error(token, $"unknown preset '{token.Text}'; expected {known}");
        return null;
    }

    private object? ParseEvent(Token token)
    {
        var text = token.Text;
        if (text.StartsWith("raw:", StringComparison.OrdinalIgnoreCase))
        {
            var number = text[4..];
            bool hex = number.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
            if (!hex)
            {
                Error(token, $"bad raw event '{text}'; write raw:0xUUEE or raw:0xEUUEE");
                return null;
            }

            var value = ParseNumber(token, number, token.Column + 4);
            if (value > EventSpec.MaxRaw)
            {
                Error(token, $"raw event '{text}' is wider than raw:0xEUUEE");
                return null;
            }

            return value is ulong raw ? EventSpec.FromRawNumber(raw) : null;
        }

        if (EventSpec.TryParseName(text, out var kind))
        {
            return EventSpec.Named(kind);
        }

        Error(token, $"unknown event '{text}'; expected {EventNames}");
        return null;
    }

    private Metric? ParseMetric(Token token)
    {
        var name = token.Text.ToLowerInvariant();
        if (MetricPattern().IsMatch(name))
        {
            return new Metric(token.Span, name);
        }

        Error(token, $"bad metric name '{token.Text}'; a metric is a dotted lower-case name such as exits.msr or hw.writes.ia32_pmc0");
        return null;
    }

    private string? ParseChoice(Token token, IReadOnlyList<string> choices, string? key)
    {
        var word = token.Text.ToLowerInvariant();
        if (choices.Contains(word))
        {
            return word;
        }

        var where = key is null ? string.Empty : $" for '{key}'";
        Error(token, $"expected {Alternatives(choices)}{where}, found '{token.Text}'");
        return null;
    }

    private EquatableList<ulong>? ParseNumberList(string key, Token token)
    {
        var values = new List<ulong>();
        bool ok = true;
        int offset = 0;
        foreach (var part in token.Text.Split(','))
        {
            int column = token.Column + SourceText.CodePointCount(token.Text[..offset]);
            if (part.Length == 0)
            {
                Error(token.Line, column, $"empty entry in '{key}' list");
                ok = false;
            }
            else if (ParseNumber(token, part, column) is ulong value)
            {
                values.Add(value);
            }
            else
            {
                ok = false;
            }

            offset += part.Length + 1;
        }

        return ok ? new EquatableList<ulong>(values) : null;
    }

    // ---- Results ---------------------------------------------------------------------------

    private void ReadResult(StatementDefinition definition, Token arrow, List<Token> tokens, StatementSyntax syntax)
    {
        if (definition.Results == ResultKinds.None)
        {
            Error(arrow, $"'{definition.DisplayName}' takes no '=>' result");
            return;
        }

        if (tokens.Count == 0)
        {
            Error(arrow.Line, arrow.EndColumn + 1, $"missing result after '=>'; expected {DescribeResults(definition.Results)}");
            return;
        }

        var first = tokens[0];
        int used = 1;
        (ResultKinds kind, Expectation? expectation) = (ResultKinds.None, null);
        switch (first.Kind)
        {
            case TokenKind.Operator:
                ComparisonOperators.TryParse(first.Text, out var op);
                if (tokens.Count < 2 || tokens[1].Kind != TokenKind.Word)
                {
                    Error(first.Line, first.EndColumn + 1, $"missing NUMBER after '{first.Text}'");
                    return;
                }

                used = 2;
                if (ParseNumber(tokens[1]) is not ulong bound)
                {
                    return;
                }

                (kind, expectation) = (ResultKinds.Comparison, new ComparisonExpectation(first.Span, op, bound));
                break;
            case TokenKind.GeneralProtection:
                (kind, expectation) = (ResultKinds.GeneralProtection, new GeneralProtectionExpectation(first.Span));
                break;
            case TokenKind.Word when NumberLiteral.LooksNumeric(first.Text):
                if (ParseNumber(first) is not ulong value)
                {
                    return;
                }

                (kind, expectation) = (ResultKinds.Value, new ValueExpectation(first.Span, value));
                break;
            case TokenKind.Word:
                (kind, expectation) = first.Text.ToLowerInvariant() switch
                {
                    "ok" => (ResultKinds.Ok, new OkExpectation(first.Span)),
                    "error" => (ResultKinds.Error, new HostErrorExpectation(first.Span)),
                    "ebusy" => (ResultKinds.Ebusy, new ErrnoExpectation(first.Span, Errno.Ebusy)),
                    "eopnotsupp" => (ResultKinds.Eopnotsupp, new ErrnoExpectation(first.Span, Errno.Eopnotsupp)),
                    "einval" => (ResultKinds.Einval, new ErrnoExpectation(first.Span, Errno.Einval)),
                    "e2big" => (ResultKinds.E2big, new ErrnoExpectation(first.Span, Errno.E2big)),
                    "clean" => (ResultKinds.Clean, new LbrContentExpectation(first.Span, LbrContent.Clean)),
                    "polluted" => (ResultKinds.Polluted, (Expectation)new LbrContentExpectation(first.Span, LbrContent.Polluted)),
                    _ => (ResultKinds.None, null),
                };
                break;
        }

        if (expectation is null)
        {
            Error(first, $"bad result '{first.Text}'; expected {DescribeResults(definition.Results)}");
            return;
        }

        if ((definition.Results & kind) == 0)
        {
            Error(first, $"result '{first.Text}' is not allowed for '{definition.DisplayName}'; expected {DescribeResults(definition.Results)}");
            return;
        }

        if (used < tokens.Count)
        {
            Error(tokens[used], $"unexpected '{tokens[used].Text}' after the result");
            return;
        }

        syntax.Expect = expectation;
    }

    private static string DescribeResults(ResultKinds kinds)
    {
        (ResultKinds Kind, string Text)[] names =
        [
            (ResultKinds.Value, "a number"), (ResultKinds.Comparison, "OP NUMBER"), (ResultKinds.Ok, "ok"),
            (ResultKinds.GeneralProtection, "#GP"), (ResultKinds.Error, "error"), (ResultKinds.Ebusy, "EBUSY"),
            (ResultKinds.Eopnotsupp, "EOPNOTSUPP"), (ResultKinds.Einval, "EINVAL"), (ResultKinds.E2big, "E2BIG"),
            (ResultKinds.Clean, "clean"), (ResultKinds.Polluted, "polluted"),
        ];
        return Alternatives(names.Where(n => (kinds & n.Kind) != 0).Select(n => n.Text));
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_.-]*$")]
    private static partial Regex NamePattern();

    // '_' appears in the per-register metrics (hw.writes.ia32_perfevtsel0).
    [GeneratedRegex("^[a-z][a-z0-9._-]*$")]
    private static partial Regex MetricPattern();
}
