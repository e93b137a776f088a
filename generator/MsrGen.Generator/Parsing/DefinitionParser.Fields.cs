using System;
using System.Collections.Generic;
using System.Linq;
using MsrGen.Generator.Model;

namespace MsrGen.Generator.Parsing;

/// <summary>Field and enum lines of a definition.</summary>
internal sealed partial class DefinitionParser
{
    /// <summary>'field MSB[:LSB] NAME [ro|wo|rw] [w1c|w1s|rc|reads-zero] [width=EXPR] [when COND] ["doc"]'.</summary>
    private FieldModel? ReadField(List<Token> tokens, int limit)
    {
        if (tokens.Count < 3)
        {
            Report(GeneratorDiagnostics.Syntax, $"expected '{tokens[0].Text} MSB[:LSB] NAME ...'", tokens[0]);
            MarkRegisterBroken();
            return null;
        }

        bool rangeOk = TryBitRange(tokens[1], limit, out int msb, out int lsb);
        string name = tokens[2].Text;
        if (!IsFieldName(name) || name.Contains("{n}"))
        {
            Report(GeneratorDiagnostics.Syntax, $"'{name}' is not a field name (capital letters, digits and '_')", tokens[2]);
            MarkRegisterBroken();
            return null;
        }

        var tail = ReadTail(tokens, 3, new[] { "width" }, allowFlags: true, allowWhen: true);
        if (!rangeOk || tail is null)
        {
            return null;
        }

        ApplyFlags(tail, out var access, out var effects);
        if (tail.Condition.Length > 0 &&
            !CheckExpression(tail.Condition, tail.ConditionTokens, allowIndex: _register?.HasArray == true, allowHost: false, CapabilityExpression.ValueKind.Boolean))
        {
            return null;
        }

        string widthExpression = "";
        if (tail.Keys.TryGetValue("width", out var widthToken))
        {
            if (!CheckExpression(widthToken.Text, widthToken, allowIndex: false, allowHost: false, CapabilityExpression.ValueKind.Integer))
            {
                return null;
            }

            widthExpression = widthToken.Text;
        }

        return new FieldModel(name, lsb, msb - lsb + 1, access, effects, tail.Condition, widthExpression,
            EquatableArray<EnumValueModel>.Empty, tail.Doc);
    }

    private void ProcessEnumLine(string word, List<Token> tokens)
    {
        var builder = _enum!;
        if (word == "end")
        {
            ExpectArgs(tokens, 1);
            _enum = null;
            if (builder.Field.Name == "?")
            {
                return;
            }

            if (builder.Values.Count == 0)
            {
                Report(GeneratorDiagnostics.Syntax, $"enum '{builder.Field.Name}' has no values", builder.At);
                MarkRegisterBroken();
                return;
            }

            _register!.Fields.Add((builder.Field with { EnumValues = builder.Values.ToEquatableArray() }, builder.At));
            return;
        }

        if (builder.Field.Name == "?")
        {
            return;
        }

        if (tokens.Count < 2 || !Numbers.TryParse(tokens[0].Text, out ulong value))
        {
            Report(GeneratorDiagnostics.Syntax, "expected 'VALUE NAME [\"doc\"]' or 'end' inside an enum", tokens[0]);
            MarkRegisterBroken();
            return;
        }

        var field = builder.Field;
        ulong limit = field.Width >= 64 ? ulong.MaxValue : (1UL << field.Width) - 1;
        if (value > limit)
        {
            Report(GeneratorDiagnostics.BadValue, $"enum value {tokens[0].Text} does not fit the {field.Width}-bit field '{field.Name}'", tokens[0]);
            MarkRegisterBroken();
            return;
        }

        string name = tokens[1].Text;
        if (!IsFieldName(name))
        {
            Report(GeneratorDiagnostics.Syntax, $"'{name}' is not an enum value name (capital letters, digits and '_')", tokens[1]);
            MarkRegisterBroken();
            return;
        }

        if (builder.Values.Any(v => v.Name == name || Emit.Naming.Member(v.Name) == Emit.Naming.Member(name)))
        {
            Report(GeneratorDiagnostics.DuplicateName, $"enum '{field.Name}' already has a value named '{name}' (or one with the same C# name)", tokens[1]);
            MarkRegisterBroken();
            return;
        }

        var tail = ReadTail(tokens, 2, Array.Empty<string>(), allowFlags: false, allowWhen: false);
        builder.Values.Add(new EnumValueModel(value, name, tail?.Doc ?? ""));
    }
}
