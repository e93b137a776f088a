using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using MsrGen.Generator.Model;

namespace MsrGen.Generator.Parsing;

/// <summary>
/// <c>group</c> blocks: a set of fields repeated every <c>stride</c> bits (as in
/// IA32_FIXED_CTR_CTRL's four-bit nibble per fixed counter), with their per-element
/// <c>rename</c> lines, and the duplicate-name check that fields and groups share.
/// </summary>
internal sealed partial class DefinitionParser
{
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
}
