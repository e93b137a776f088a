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

    private void StartGroup(List<Token> tokens)
    {
        if (tokens.Count < 2 || !CheckArrayName(tokens[1]))
        {
            if (tokens.Count < 2)
            {
                ExpectArgs(tokens, 2);
            }

            _group = new GroupBuilder("?", tokens[0], 0, 1, 1, "", "", 0, "");
            return;
        }

        var tail = ReadTail(tokens, 2, ArrayKeys, allowFlags: false, allowWhen: true);
        if (tail is null ||
            !ReadArrayShape(tokens, tail, needWidth: false, out int at, out int stride, out int max, out string count, out ulong reset, out _) ||
            (tail.Condition.Length > 0 &&
             !CheckExpression(tail.Condition, tail.ConditionTokens, allowIndex: _register!.HasArray, allowHost: false, CapabilityExpression.ValueKind.Boolean)))
        {
            _group = new GroupBuilder("?", tokens[0], 0, 1, 1, "", "", 0, "");
            return;
        }

        _group = new GroupBuilder(tokens[1].Text, tokens[1], at, stride, max, count, tail.Condition, reset, tail.Doc);
    }

    private void ProcessGroupLine(string word, List<Token> tokens)
    {
        var group = _group!;
        switch (word)
        {
            case "end":
                ExpectArgs(tokens, 1);
                _group = null;
                if (group.Name != "?")
                {
                    FinishGroup(group);
                }

                return;
            case "field":
                if (ReadField(tokens, group.Stride) is { } field)
                {
                    group.Fields.Add((field, tokens[1]));
                }

                return;
            case "reserved":
                if (tokens.Count >= 2 && TryBitRange(tokens[1], group.Stride, out int msb, out int lsb))
                {
                    group.Reserved.Add((msb, lsb, tokens[1]));
                }
                else if (tokens.Count < 2)
                {
                    ExpectArgs(tokens, 2);
                }

                return;
            case "rename":
                ReadRename(group, tokens);
                return;
            default:
                Report(GeneratorDiagnostics.UnknownKeyword, $"unknown keyword '{tokens[0].Text}' in a group (field, reserved, rename or end)", tokens[0]);
                MarkRegisterBroken();
                return;
        }
    }

    private void FinishGroup(GroupBuilder group)
    {
        // Every bit of one element must be a field or reserved, exactly once.
        var items = group.Fields.Select(f => (f.Field.Name, f.Field.Mask, f.At))
            .Concat(group.Reserved.Select(r => ("reserved " + r.At.Text, Bits(r.Msb, r.Lsb), r.At)));
        ulong element = group.Stride >= 64 ? ulong.MaxValue : (1UL << group.Stride) - 1;
        if (!CheckCoverage(items, element, $"group '{group.Name}' element", group.At, out ulong reservedInElement))
        {
            return;
        }

        var fields = group.Fields.Select(f => f.Field).ToList();
        if (HasDuplicateNames(group.Fields) || !ApplyRenames(group, fields))
        {
            return;
        }

        // Reserved bits inside an element are reserved in every element.
        for (int k = 0; k < group.Max; k++)
        {
            int shift = group.BaseLsb + k * group.Stride;
            for (int bit = 0; bit < group.Stride; bit++)
            {
                if (((reservedInElement >> bit) & 1) != 0)
                {
                    _register!.Reserved.Add((shift + bit, shift + bit, group.At));
                }
            }
        }

        _register!.FieldArrays.Add((new FieldArrayModel(group.Name, group.BaseLsb, group.Stride, group.Max, group.Count,
            group.Condition, group.Reset, fields.ToEquatableArray(), group.Description), group.At));
    }

    /// <summary>
    /// 'rename FIELD@k NAME': in element k the field's bits go by NAME (perf_event.h names bit 2 of fixed
    /// counter 3's control INTEL_FIXED_3_METRICS_CLEAR). Only the name changes: bits, condition and
    /// reserved mask stay the field's.
    /// </summary>
    private void ReadRename(GroupBuilder group, List<Token> tokens)
    {
        if (tokens.Count != 3)
        {
            Report(GeneratorDiagnostics.Syntax, "expected 'rename FIELD@INDEX NAME' (the field's name in one element of the group)", tokens[0]);
            MarkRegisterBroken();
            return;
        }

        var target = tokens[1];
        int at = target.Text.IndexOf('@');
        if (target.Quoted || at <= 0 ||
            !int.TryParse(target.Text.Substring(at + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int element))
        {
            Report(GeneratorDiagnostics.BadValue, $"rename '{target.Text}': expected FIELD@INDEX with a decimal element index", target);
            MarkRegisterBroken();
            return;
        }

        if (element >= group.Max)
        {
            Report(GeneratorDiagnostics.BadValue,
                $"rename '{target.Text}': element {element} is past the group's last element ({group.Max - 1}, max={group.Max})", target);
            MarkRegisterBroken();
            return;
        }

        var name = tokens[2];
        if (name.Quoted || !IsFieldName(name.Text) || name.Text.Contains("{n}"))
        {
            Report(GeneratorDiagnostics.BadValue, $"rename to '{name.Text}': not a field name (capital letters, digits and '_')", name);
            MarkRegisterBroken();
            return;
        }

        group.Renames.Add((target.Text.Substring(0, at), element, name.Text, target, name));
    }

    /// <summary>Attaches the group's renames to their fields; false (reported) if one names no field or repeats.</summary>
    private bool ApplyRenames(GroupBuilder group, List<FieldModel> fields)
    {
        bool ok = true;
        var seen = new HashSet<(string, int)>();
        foreach (var rename in group.Renames)
        {
            int index = fields.FindIndex(f => string.Equals(f.Name, rename.Field, StringComparison.Ordinal));
            if (index < 0)
            {
                Report(GeneratorDiagnostics.BadValue,
                    $"rename '{rename.FieldAt.Text}': group '{group.Name}' has no field '{rename.Field}'", rename.FieldAt);
                ok = false;
                continue;
            }

            if (!seen.Add((rename.Field, rename.Element)))
            {
                Report(GeneratorDiagnostics.DuplicateName, $"rename '{rename.FieldAt.Text}' is given twice", rename.FieldAt);
                ok = false;
                continue;
            }

            if (fields.Any(f => string.Equals(f.Name, rename.Name, StringComparison.Ordinal)))
            {
                Report(GeneratorDiagnostics.DuplicateName,
                    $"rename to '{rename.Name}': group '{group.Name}' already has a field of that name", rename.NameAt);
                ok = false;
                continue;
            }

            var field = fields[index];
            fields[index] = field with
            {
                ElementNames = field.ElementNames.Concat(new[] { new ElementNameModel(rename.Element, rename.Name) })
                    .OrderBy(e => e.Element).ToEquatableArray(),
            };
        }

        if (!ok)
        {
            MarkRegisterBroken();
        }

        return ok;
    }

    private bool HasDuplicateNames(IEnumerable<(FieldModel Field, Token At)> fields)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        bool duplicate = false;
        foreach (var (field, at) in fields)
        {
            if (!seen.Add(field.Name))
            {
                Report(GeneratorDiagnostics.DuplicateName, $"field '{field.Name}' is defined twice", at);
                MarkRegisterBroken();
                duplicate = true;
            }
        }

        return duplicate;
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
