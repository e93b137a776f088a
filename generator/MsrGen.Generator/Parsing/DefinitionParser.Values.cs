using System;
using System.Collections.Generic;
using System.Linq;
using MsrGen.Generator.Model;

namespace MsrGen.Generator.Parsing;

// Values inside statements: keywords with a fixed set of values, numbers, bit ranges and expressions.
internal sealed partial class DefinitionParser
{
    private VendorKind? ParseVendor(Token token)
    {
        switch (token.Text.ToLowerInvariant())
        {
            case "intel": return VendorKind.Intel;
            case "amd": return VendorKind.Amd;
            case "kvm": return VendorKind.Kvm;
            case "synthetic": return VendorKind.Synthetic;
            default:
                Report(GeneratorDiagnostics.BadValue, $"unknown vendor '{token.Text}' (intel, amd, kvm or synthetic)", token);
                MarkRegisterBroken();
                return null;
        }
    }

    private ProfileKinds? ParseProfile(Token token)
    {
        switch (token.Text.ToLowerInvariant())
        {
            case "upstream": return ProfileKinds.Upstream;
            case "pv-lbr-2018": return ProfileKinds.PvLbr2018;
            case "all": return ProfileKinds.All;
            default:
                Report(GeneratorDiagnostics.BadValue, $"unknown profile '{token.Text}' (upstream, pv-lbr-2018 or all)", token);
                MarkRegisterBroken();
                return null;
        }
    }

    private AccessKind? ParseAccess(Token token)
    {
        switch (token.Text.ToLowerInvariant())
        {
            case "rw": return AccessKind.ReadWrite;
            case "ro": return AccessKind.ReadOnly;
            case "wo": return AccessKind.WriteOnly;
            default:
                Report(GeneratorDiagnostics.BadValue, $"unknown access '{token.Text}' (ro, wo or rw)", token);
                MarkRegisterBroken();
                return null;
        }
    }

    private static EffectKinds? EffectOf(string word) => word switch
    {
        "w1c" => EffectKinds.WriteOneToClear,
        "w1s" => EffectKinds.WriteOneToSet,
        "rc" => EffectKinds.ReadClears,
        "reads-zero" => EffectKinds.ReadsAsZero,
        _ => null,
    };

    private bool TryNumber(Token token, out ulong value, ulong max = ulong.MaxValue)
    {
        if (Numbers.TryParse(token.Text, out value) && value <= max)
        {
            return true;
        }

        Report(GeneratorDiagnostics.BadNumber, $"'{token.Text}' is not a number{(max == ulong.MaxValue ? "" : $" up to {max}")}", token);
        MarkRegisterBroken();
        return false;
    }

    /// <summary>Parses "MSB" or "MSB:LSB" and checks both lie in 0..63 (or 0..limit-1 inside a group).</summary>
    private bool TryBitRange(Token token, int limit, out int msb, out int lsb)
    {
        msb = lsb = 0;
        string[] parts = token.Text.Split(':');
        if (parts.Length > 2 ||
            !Numbers.TryParse(parts[0], out ulong high) ||
            !Numbers.TryParse(parts.Length == 2 ? parts[1] : parts[0], out ulong low))
        {
            Report(GeneratorDiagnostics.Syntax, $"'{token.Text}' is not a bit range (MSB or MSB:LSB)", token);
            MarkRegisterBroken();
            return false;
        }

        if (high >= (ulong)limit || low >= (ulong)limit)
        {
            Report(GeneratorDiagnostics.BitOutOfRange,
                limit == 64 ? $"bit range '{token.Text}' lies outside 63..0"
                            : $"bit range '{token.Text}' lies outside the group element's bits {limit - 1}..0", token);
            MarkRegisterBroken();
            return false;
        }

        if (high < low)
        {
            Report(GeneratorDiagnostics.Syntax, $"bit range '{token.Text}' must be written high:low", token);
            MarkRegisterBroken();
            return false;
        }

        msb = (int)high;
        lsb = (int)low;
        return true;
    }

    /// <summary>Checks an expression; <paramref name="at"/> locates errors.</summary>
    /// <summary>
    /// A condition that reads no capability is "always" (empty) or "false": generated code then has
    /// no constant <c>if</c> whose body the compiler would flag as unreachable (CS0162).
    /// </summary>
    private static string ConstantFolded(string condition) =>
        CapabilityExpression.TryParse(condition, allowIndex: true, allowHost: true, out var expression, out _)
        && expression!.Kind == CapabilityExpression.ValueKind.Boolean
        && expression.ConstantValue is long value
            ? (value != 0 ? string.Empty : "false")
            : condition;

    private bool CheckExpression(string text, Token at, bool allowIndex, bool allowHost, CapabilityExpression.ValueKind kind) =>
        CheckExpression(text, new[] { at }, allowIndex, allowHost, kind);

    /// <summary>Checks an expression joined (by single spaces) from <paramref name="parts"/>, which locate errors.</summary>
    private bool CheckExpression(string text, IReadOnlyList<Token> parts, bool allowIndex, bool allowHost, CapabilityExpression.ValueKind kind)
    {
        var at = parts[0];
        if (!CapabilityExpression.TryParse(text, allowIndex, allowHost, out var expression, out var error))
        {
            Report(error.UnknownCapability ? GeneratorDiagnostics.UnknownCapability : GeneratorDiagnostics.Syntax,
                error.UnknownCapability
                    ? $"{error.Message} (known: {string.Join(", ", CapabilityExpression.Vocabulary.Keys.OrderBy(k => k, StringComparer.Ordinal))})"
                    : error.Message,
                Locate(parts, error.Position));
            MarkRegisterBroken();
            return false;
        }

        if (expression!.Kind != kind)
        {
            Report(GeneratorDiagnostics.Syntax,
                kind == CapabilityExpression.ValueKind.Boolean
                    ? $"'{text}' is a number, a condition is expected here"
                    : $"'{text}' is a condition, a number is expected here", at);
            MarkRegisterBroken();
            return false;
        }

        return true;
    }

    /// <summary>The token (or the rest of it) at a character position of the parts joined by single spaces.</summary>
    private static Token Locate(IReadOnlyList<Token> parts, int position)
    {
        int start = 0;
        for (int i = 0; i < parts.Count; i++)
        {
            var part = parts[i];
            int end = start + part.Text.Length;
            if (position < end || i == parts.Count - 1)
            {
                int skip = Math.Max(0, Math.Min(position - start, part.Text.Length - 1));
                return new Token(part.Text.Substring(skip), part.Line, part.Column + skip, part.Offset + skip, Math.Max(1, part.Length - skip), false);
            }

            start = end + 1;
        }

        return parts[0];
    }
}
