using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using MsrGen.Analyzers.Model;
using MsrGen.Generator.Parsing;
using Range = MsrGen.Generator.Parsing.CapabilityExpression.Range;

namespace MsrGen.Analyzers.Rules;

/// <summary>What a condition being true or false says about capabilities and features.</summary>
internal sealed partial class GuardFlow
{
    /// <summary>What <paramref name="condition"/> having the value <paramref name="value"/> adds.</summary>
    private Knowledge Assume(Knowledge known, IOperation condition, bool value, int depth)
    {
        if (depth > MaxDepth)
        {
            return known;
        }

        var op = ValueFolder.Unwrap(condition);
        switch (op)
        {
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not:
                return Assume(known, not.Operand, !value, depth + 1);
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.And } both when IsBoolean(both):
                return value ? Assume(Assume(known, both.LeftOperand, true, depth + 1), both.RightOperand, true, depth + 1) : known;
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalOr or BinaryOperatorKind.Or } either when IsBoolean(either):
                return value ? known : Assume(Assume(known, either.LeftOperand, false, depth + 1), either.RightOperand, false, depth + 1);
            case IBinaryOperation binary:
                return AssumeComparison(known, binary, value, depth);
            case IIsPatternOperation isPattern:
                return AssumePattern(known, isPattern.Value, isPattern.Pattern, value, depth + 1);
            case ILocalReferenceOperation local when ValueFolder.OnlyValueOf(_originalRoot, local.Local) is { } initializer:
                return Assume(known, initializer, value, depth + 1);
            case IFlowCaptureReferenceOperation capture when _captures.TryGetValue(capture.Id, out var captured) && captured is not null:
                return Assume(known, captured, value, depth + 1);
            case IInvocationOperation { TargetMethod.Name: "Exists", TargetMethod.IsStatic: true } exists
                when value && KnownSymbols.HasAttribute(exists.TargetMethod.ContainingType, _symbols.RegisterAttribute):
                return known.WithExists(exists.TargetMethod.ContainingType);
            case IInvocationOperation { TargetMethod.Name: "Has", Arguments.Length: 1 } has when IsType(has.TargetMethod.ContainingType, _symbols.PmuCaps):
                // Has(A | B) true means both are present; false says only that one is missing.
                var features = Features(has.Arguments[0].Value);
                if (features is null || (!value && features.Count != 1))
                {
                    return known;
                }

                foreach (var feature in features)
                {
                    known = known.Constrain(feature, value ? Range.True : Range.False);
                }

                return known;
        }

        return Term(op, depth) is { } name ? known.Constrain(name, value ? Range.True : Range.False) : known;
    }

    private Knowledge AssumeComparison(Knowledge known, IBinaryOperation binary, bool value, int depth)
    {
        var left = ValueFolder.Unwrap(binary.LeftOperand);
        var right = ValueFolder.Unwrap(binary.RightOperand);
        var kind = binary.OperatorKind;
        if (left.ConstantValue.HasValue && !right.ConstantValue.HasValue)
        {
            (left, right) = (right, left);
            kind = Mirror(kind);
        }

        if (!right.ConstantValue.HasValue)
        {
            return known;
        }

        // x == true, x != false, x == false: the boolean x itself.
        if (right.ConstantValue.Value is bool flag && kind is BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals)
        {
            return Assume(known, left, value == (flag == (kind == BinaryOperatorKind.Equals)), depth + 1);
        }

        if (!ValueFolder.TryToInt64(right.ConstantValue.Value, out long constant))
        {
            return known;
        }

        // (caps.PerfCapabilities & PmuCaps.PerfCapFullWidthWrites) != 0
        if (constant == 0 && kind is BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals &&
            left is IBinaryOperation { OperatorKind: BinaryOperatorKind.And } mask && PerfCapabilityBit(mask) is { } bit)
        {
            bool set = value == (kind == BinaryOperatorKind.NotEquals);
            return set ? known.Constrain(bit, Range.True) : known;
        }

        return Term(left, depth) is { } name ? Compare(known, name, kind, constant, value) : known;
    }

    private static Knowledge Compare(Knowledge known, string name, BinaryOperatorKind kind, long constant, bool value)
    {
        if (!value)
        {
            kind = kind switch
            {
                BinaryOperatorKind.GreaterThanOrEqual => BinaryOperatorKind.LessThan,
                BinaryOperatorKind.GreaterThan => BinaryOperatorKind.LessThanOrEqual,
                BinaryOperatorKind.LessThanOrEqual => BinaryOperatorKind.GreaterThan,
                BinaryOperatorKind.LessThan => BinaryOperatorKind.GreaterThanOrEqual,
                BinaryOperatorKind.Equals => BinaryOperatorKind.NotEquals,
                BinaryOperatorKind.NotEquals => BinaryOperatorKind.Equals,
                _ => BinaryOperatorKind.None,
            };
        }

        return kind switch
        {
            BinaryOperatorKind.GreaterThanOrEqual => known.Constrain(name, new Range(constant, long.MaxValue)),
            BinaryOperatorKind.GreaterThan when constant < long.MaxValue => known.Constrain(name, new Range(constant + 1, long.MaxValue)),
            BinaryOperatorKind.LessThanOrEqual => known.Constrain(name, new Range(long.MinValue, constant)),
            BinaryOperatorKind.LessThan when constant > long.MinValue => known.Constrain(name, new Range(long.MinValue, constant - 1)),
            BinaryOperatorKind.Equals => known.Constrain(name, new Range(constant, constant)),
            // != c says something a range can hold only when c is the boundary of a boolean.
            BinaryOperatorKind.NotEquals when constant == 0 && IsBooleanName(name) => known.Constrain(name, Range.True),
            _ => known,
        };
    }

    private static BinaryOperatorKind Mirror(BinaryOperatorKind kind) => kind switch
    {
        BinaryOperatorKind.GreaterThan => BinaryOperatorKind.LessThan,
        BinaryOperatorKind.GreaterThanOrEqual => BinaryOperatorKind.LessThanOrEqual,
        BinaryOperatorKind.LessThan => BinaryOperatorKind.GreaterThan,
        BinaryOperatorKind.LessThanOrEqual => BinaryOperatorKind.GreaterThanOrEqual,
        _ => kind,
    };

    private Knowledge AssumePattern(Knowledge known, IOperation subject, IPatternOperation pattern, bool value, int depth)
    {
        if (depth > MaxDepth)
        {
            return known;
        }

        switch (pattern)
        {
            case INegatedPatternOperation negated:
                return AssumePattern(known, subject, negated.Pattern, !value, depth + 1);
            case IBinaryPatternOperation { OperatorKind: BinaryOperatorKind.And } both:
                return value ? AssumePattern(AssumePattern(known, subject, both.LeftPattern, true, depth + 1), subject, both.RightPattern, true, depth + 1) : known;
            case IBinaryPatternOperation { OperatorKind: BinaryOperatorKind.Or } either:
                return value ? known : AssumePattern(AssumePattern(known, subject, either.LeftPattern, false, depth + 1), subject, either.RightPattern, false, depth + 1);
            case IConstantPatternOperation constant when constant.Value.ConstantValue.HasValue:
                return AssumeConstant(known, subject, constant.Value.ConstantValue.Value, BinaryOperatorKind.Equals, value, depth);
            case IRelationalPatternOperation relational when relational.Value.ConstantValue.HasValue:
                return AssumeConstant(known, subject, relational.Value.ConstantValue.Value, relational.OperatorKind, value, depth);
            case IRecursivePatternOperation recursive when value:
                foreach (var sub in recursive.PropertySubpatterns)
                {
                    if (sub.Member is IPropertyReferenceOperation { Property: var property } && IsType(property.ContainingType, _symbols.PmuCaps) &&
                        NameOfMember(property.Name) is { } name)
                    {
                        known = AssumeNamed(known, name, sub.Pattern, depth + 1);
                    }
                }

                return known;
        }

        return known;
    }

    /// <summary>A pattern known to match a capability read straight off PmuCaps (<c>caps is { Version: &gt;= 2 }</c>).</summary>
    private Knowledge AssumeNamed(Knowledge known, string name, IPatternOperation pattern, int depth)
    {
        switch (pattern)
        {
            case IConstantPatternOperation { Value.ConstantValue: { HasValue: true, Value: var c } }:
                return c is bool b ? known.Constrain(name, b ? Range.True : Range.False) :
                    ValueFolder.TryToInt64(c, out long v) ? Compare(known, name, BinaryOperatorKind.Equals, v, true) : known;
            case IRelationalPatternOperation { Value.ConstantValue: { HasValue: true, Value: var r } } relational when ValueFolder.TryToInt64(r, out long bound):
                return Compare(known, name, relational.OperatorKind, bound, true);
            case IBinaryPatternOperation { OperatorKind: BinaryOperatorKind.And } both when depth < MaxDepth:
                return AssumeNamed(AssumeNamed(known, name, both.LeftPattern, depth + 1), name, both.RightPattern, depth + 1);
            default:
                return known;
        }
    }

    private Knowledge AssumeConstant(Knowledge known, IOperation subject, object? constant, BinaryOperatorKind kind, bool value, int depth)
    {
        if (constant is bool flag && kind == BinaryOperatorKind.Equals)
        {
            return Assume(known, subject, value == flag, depth + 1);
        }

        return ValueFolder.TryToInt64(constant, out long bound) && Term(ValueFolder.Unwrap(subject), depth) is { } name
            ? Compare(known, name, kind, bound, value)
            : known;
    }

    /// <summary>The capability name an operand reads: a PmuCaps member, <c>Has(feature)</c> or <c>Lookup("name")</c>.</summary>
    private string? Term(IOperation op, int depth)
    {
        op = ValueFolder.Unwrap(op);
        switch (op)
        {
            case IPropertyReferenceOperation property when IsType(property.Property.ContainingType, _symbols.PmuCaps):
                return NameOfMember(property.Property.Name);
            case IInvocationOperation { TargetMethod.Name: "Lookup", Arguments.Length: 1 } lookup when IsType(lookup.TargetMethod.ContainingType, _symbols.PmuCaps) &&
                                                                                                          lookup.Arguments[0].Value.ConstantValue.Value is string name:
                return name;
            case IInvocationOperation { TargetMethod.Name: "Has", Arguments.Length: 1 } has when IsType(has.TargetMethod.ContainingType, _symbols.PmuCaps):
                return Features(has.Arguments[0].Value) is { Count: 1 } single ? single[0] : null;
            case ILocalReferenceOperation local when depth < MaxDepth && ValueFolder.OnlyValueOf(_originalRoot, local.Local) is { } initializer:
                return Term(initializer, depth + 1);
            case IFlowCaptureReferenceOperation capture when depth < MaxDepth && _captures.TryGetValue(capture.Id, out var captured) && captured is not null:
                return Term(captured, depth + 1);
            default:
                return null;
        }
    }

    /// <summary>The capability names of a constant PmuFeatures value (one per flag).</summary>
    private List<string>? Features(IOperation argument)
    {
        var op = ValueFolder.Unwrap(argument);
        if (!op.ConstantValue.HasValue || !ValueFolder.TryToUInt64(op.ConstantValue.Value, out ulong bits) || bits == 0 || _symbols.PmuFeatures is null)
        {
            return null;
        }

        var names = new List<string>();
        foreach (var member in _symbols.PmuFeatures.GetMembers())
        {
            if (member is IFieldSymbol { HasConstantValue: true } field && ValueFolder.TryToUInt64(field.ConstantValue, out ulong flag) &&
                flag != 0 && (flag & (flag - 1)) == 0 && (bits & flag) != 0 &&
                NameOfMember("Has(global::MsrGen.Registers.PmuFeatures." + field.Name + ")") is { } name)
            {
                names.Add(name);
                bits &= ~flag;
            }
        }

        return bits == 0 ? names : null;
    }

    private string? PerfCapabilityBit(IBinaryOperation mask)
    {
        foreach (var side in new[] { mask.LeftOperand, mask.RightOperand })
        {
            if (ValueFolder.Unwrap(side) is IFieldReferenceOperation field && IsType(field.Field.ContainingType, _symbols.PmuCaps))
            {
                return field.Field.Name switch
                {
                    "PerfCapFullWidthWrites" => "fw-writes",
                    "PerfCapPebsBaseline" => "pebs-baseline",
                    "PerfCapPerfMetrics" => "perf-metrics",
                    _ => null,
                };
            }
        }

        return null;
    }

    private static string? NameOfMember(string member)
    {
        foreach (var entry in CapabilityExpression.Vocabulary)
        {
            if (entry.Value.Member == member)
            {
                return entry.Key;
            }
        }

        return null;
    }

    private static bool IsBooleanName(string name) =>
        CapabilityExpression.Vocabulary.TryGetValue(name, out var entry) && entry.Kind == CapabilityExpression.ValueKind.Boolean;

    private static bool IsBoolean(IBinaryOperation binary) => binary.Type?.SpecialType == SpecialType.System_Boolean;

    private static bool IsType(ITypeSymbol? type, INamedTypeSymbol? expected) =>
        expected is not null && SymbolEqualityComparer.Default.Equals(type?.OriginalDefinition, expected);
}
