using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using MsrGen.Generator.Model;

namespace MsrGen.Generator.Parsing;

internal sealed partial class DefinitionParser
{
    private static readonly string[] ArrayKeys = { "at", "stride", "max", "count", "reset", "width" };

    private bool ReadArrayShape(List<Token> tokens, Tail tail, bool needWidth,
        out int at, out int stride, out int max, out string count, out ulong reset, out int width)
    {
        at = stride = max = width = 0;
        count = "";
        reset = 0;
        if (!tail.Keys.TryGetValue("at", out var atToken) || !tail.Keys.TryGetValue("max", out var maxToken) ||
            (needWidth ? !tail.Keys.ContainsKey("width") : !tail.Keys.ContainsKey("stride")))
        {
            Report(GeneratorDiagnostics.ArrayWithoutBound,
                needWidth ? "an array-field needs 'at=', 'width=' and 'max='" : "a group needs 'at=', 'stride=' and 'max='", tokens[0]);
            MarkRegisterBroken();
            return false;
        }

        bool ok = TryNumber(atToken, out ulong atValue, 63) & TryNumber(maxToken, out ulong maxValue, 64);
        ulong widthValue = 0, strideValue = 0;
        if (needWidth)
        {
            ok &= TryNumber(tail.Keys["width"], out widthValue, 64);
        }

        if (tail.Keys.TryGetValue("stride", out var strideToken))
        {
            ok &= TryNumber(strideToken, out strideValue, 64);
        }
        else
        {
            strideValue = widthValue;
        }

        if (tail.Keys.TryGetValue("reset", out var resetToken))
        {
            ok &= TryNumber(resetToken, out reset);
        }

        if (!ok)
        {
            return false;
        }

        if (maxValue == 0 || strideValue == 0 || (needWidth && widthValue == 0))
        {
            Report(GeneratorDiagnostics.BadValue, "'max', 'stride' and 'width' must be at least 1", tokens[0]);
            MarkRegisterBroken();
            return false;
        }

        if (atValue + strideValue * maxValue > 64)
        {
            Report(GeneratorDiagnostics.BitOutOfRange,
                $"{maxValue} elements of {strideValue} bits from bit {atValue} reach past bit 63", tokens[0]);
            MarkRegisterBroken();
            return false;
        }

        at = (int)atValue;
        stride = (int)strideValue;
        max = (int)maxValue;
        width = (int)widthValue;
        count = tail.Keys.TryGetValue("count", out var countToken) ? countToken.Text : "";
        if (count.Length > 0 &&
            !CheckExpression(count, countToken, allowIndex: false, allowHost: false, CapabilityExpression.ValueKind.Integer))
        {
            return false;
        }

        return true;
    }

    private bool CheckArrayName(Token token)
    {
        if (!IsFieldName(token.Text) || !token.Text.EndsWith("{n}", StringComparison.Ordinal))
        {
            Report(GeneratorDiagnostics.Syntax, $"'{token.Text}' is not a field array name (capital letters, digits, '_', ending in '{{n}}')", token);
            MarkRegisterBroken();
            return false;
        }

        return true;
    }

    /// <summary>'array-field NAME{n} at=LSB width=W max=M [stride=S] [count=EXPR] [reset=V] [flags] [when COND] ["doc"]'.</summary>
    private void ReadArrayField(RegisterBuilder reg, List<Token> tokens)
    {
        if (tokens.Count < 2 || !CheckArrayName(tokens[1]))
        {
            if (tokens.Count < 2)
            {
                ExpectArgs(tokens, 2);
            }

            return;
        }

        var tail = ReadTail(tokens, 2, ArrayKeys, allowFlags: true, allowWhen: true);
        if (tail is null ||
            !ReadArrayShape(tokens, tail, needWidth: true, out int at, out int stride, out int max, out string count, out ulong reset, out int width))
        {
            return;
        }

        if (stride != width)
        {
            Report(GeneratorDiagnostics.UnaccountedBits,
                $"array-field '{tokens[1].Text}' leaves bits {width}..{stride - 1} of each element unaccounted: use a 'group' with 'reserved'", tokens[1]);
            MarkRegisterBroken();
            return;
        }

        if (tail.Condition.Length > 0 &&
            !CheckExpression(tail.Condition, tail.ConditionTokens, allowIndex: reg.HasArray, allowHost: false, CapabilityExpression.ValueKind.Boolean))
        {
            return;
        }

        ApplyFlags(tail, out var access, out var effects);
        string name = tokens[1].Text;
        string plain = name.Substring(0, name.Length - 3);
        var field = new FieldModel(plain, 0, width, access, effects, "", "", EquatableArray<EnumValueModel>.Empty, tail.Doc);
        reg.FieldArrays.Add((new FieldArrayModel(name, at, stride, max, count, tail.Condition, reset,
            new[] { field }.ToEquatableArray(), tail.Doc), tokens[1]));
    }

    private static ulong Bits(int msb, int lsb)
    {
        int width = msb - lsb + 1;
        return width >= 64 ? ulong.MaxValue : ((1UL << width) - 1) << lsb;
    }

    /// <summary>Reports overlaps (at the later item) and uncovered bits; returns the reserved bits.</summary>
    private bool CheckCoverage(IEnumerable<(string Name, ulong Mask, Token At)> items, ulong all, string what, Token at, out ulong reserved,
        bool reportUncovered = true)
    {
        ulong covered = 0;
        reserved = 0;
        bool ok = true;
        var owners = new List<(string Name, ulong Mask)>();
        foreach (var (name, mask, itemAt) in items)
        {
            ulong overlap = covered & mask;
            if (overlap != 0)
            {
                string other = owners.First(o => (o.Mask & overlap) != 0).Name;
                Report(GeneratorDiagnostics.OverlappingFields,
                    $"'{name}' overlaps '{other}' at {DescribeBits(overlap)} of {what}", itemAt);
                MarkRegisterBroken();
                ok = false;
            }

            covered |= mask;
            owners.Add((name, mask));
            if (name.StartsWith("reserved ", StringComparison.Ordinal))
            {
                reserved |= mask;
            }
        }

        ulong missing = all & ~covered;
        if (missing != 0)
        {
            if (reportUncovered)
            {
                string bits = DescribeBits(missing);
                Report(GeneratorDiagnostics.UnaccountedBits,
                    $"{bits} of {what} {(bits.StartsWith("bits", StringComparison.Ordinal) ? "are" : "is")} neither a field nor reserved: every bit must be accounted for", at);
            }

            MarkRegisterBroken();
            ok = false;
        }

        return ok;
    }

    internal static string DescribeBits(ulong bits)
    {
        var runs = new List<string>();
        int bit = 63;
        while (bit >= 0)
        {
            if (((bits >> bit) & 1) == 0)
            {
                bit--;
                continue;
            }

            int high = bit;
            while (bit > 0 && ((bits >> (bit - 1)) & 1) != 0)
            {
                bit--;
            }

            runs.Add(high == bit ? high.ToString(CultureInfo.InvariantCulture) : $"{high}:{bit}");
            bit--;
        }

        bool single = runs.Count == 1 && !runs[0].Contains(":");
        return (single ? "bit " : "bits ") + string.Join(", ", runs);
    }
}
