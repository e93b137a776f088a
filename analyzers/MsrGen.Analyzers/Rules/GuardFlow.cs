using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using MsrGen.Analyzers.Model;
using MsrGen.Generator.Parsing;
using Range = MsrGen.Generator.Parsing.CapabilityExpression.Range;

namespace MsrGen.Analyzers.Rules;

/// <summary>
/// What the code has established about the vCPU's capabilities where an access runs, read from the
/// body's control-flow graph: a forward "must" analysis whose facts are ranges of capability values.
/// Every conditional edge adds what its branch value means with the edge's truth value
/// (<c>caps.Version &gt;= 2</c> taken as true bounds version below by 2, taken as false bounds it above
/// by 1); where paths join, only what holds on every path survives (the hull of the ranges). So a guard
/// counts exactly where it dominates the access with the right truth value: the else branch, a negated
/// check, an early exit on the wrong condition or the wrong side of <c>||</c> establish nothing useful.
/// Conditions are read through negation, <c>&amp;&amp;</c>/<c>||</c>, comparisons either way round,
/// <c>is</c> patterns, single-assignment locals and flow captures (switch statements).
/// </summary>
internal sealed class GuardFlow
{
    private const int MaxDepth = 8;

    private readonly KnownSymbols _symbols;
    private readonly IOperation _originalRoot;
    private readonly Dictionary<CaptureId, IOperation?> _captures = new();

    private GuardFlow(KnownSymbols symbols, IOperation originalRoot)
    {
        _symbols = symbols;
        _originalRoot = originalRoot;
    }

    /// <summary>What holds at <paramref name="access"/>; empty knowledge when the graph cannot be built.</summary>
    public static Knowledge At(IOperation access, ControlFlowGraph? graph, KnownSymbols symbols)
    {
        try
        {
            return Compute(access, graph, symbols);
        }
        catch (ArgumentException)
        {
            // A nested graph Roslyn cannot give for this function: judge as if nothing were checked.
            return Knowledge.Empty;
        }
    }

    private static Knowledge Compute(IOperation access, ControlFlowGraph? graph, KnownSymbols symbols)
    {
        IOperation root = access;
        while (root.Parent is not null)
        {
            root = root.Parent;
        }

        if (graph is null)
        {
            return Knowledge.Empty;
        }

        // The functions (lambdas, local functions) between the body and the access, outermost first.
        var functions = new List<IOperation>();
        for (var parent = access.Parent; parent is not null; parent = parent.Parent)
        {
            if (parent is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                functions.Insert(0, parent);
            }
        }

        var flow = new GuardFlow(symbols, root);
        var known = Knowledge.Empty;
        foreach (var function in functions)
        {
            if (function is ILocalFunctionOperation local)
            {
                // A local function runs wherever it is called: nothing from its definition point holds.
                known = Knowledge.Empty;
                graph = graph.GetLocalFunctionControlFlowGraph(local.Symbol);
                continue;
            }

            var inGraph = FindFlowFunction(graph, function.Syntax);
            if (inGraph is null)
            {
                return Knowledge.Empty;
            }

            // A lambda sees what held where it was created (capabilities do not change under it).
            known = flow.Solve(graph, inGraph.Value.Block).Meet(known, conjunction: true);
            graph = graph.GetAnonymousFunctionControlFlowGraph(inGraph.Value.Function);
        }

        int? block = FindBlock(graph, access.Syntax);
        return block is null ? Knowledge.Empty : flow.Solve(graph, block.Value).Meet(known, conjunction: true);
    }

    private static (IFlowAnonymousFunctionOperation Function, int Block)? FindFlowFunction(ControlFlowGraph graph, SyntaxNode syntax)
    {
        foreach (var block in graph.Blocks)
        {
            foreach (var op in OperationsOf(block))
            {
                foreach (var inner in op.DescendantsAndSelf())
                {
                    if (inner is IFlowAnonymousFunctionOperation function && function.Syntax == syntax)
                    {
                        return (function, block.Ordinal);
                    }
                }
            }
        }

        return null;
    }

    private static int? FindBlock(ControlFlowGraph graph, SyntaxNode syntax)
    {
        foreach (var block in graph.Blocks)
        {
            foreach (var op in OperationsOf(block))
            {
                foreach (var inner in op.DescendantsAndSelf())
                {
                    if (inner is IInvocationOperation && inner.Syntax == syntax)
                    {
                        return block.Ordinal;
                    }
                }
            }
        }

        return null;
    }

    private static IEnumerable<IOperation> OperationsOf(BasicBlock block)
    {
        foreach (var op in block.Operations)
        {
            yield return op;
        }

        if (block.BranchValue is { } branch)
        {
            yield return branch;
        }
    }

    private Knowledge Solve(ControlFlowGraph graph, int target)
    {
        _captures.Clear();
        foreach (var block in graph.Blocks)
        {
            foreach (var op in OperationsOf(block))
            {
                foreach (var inner in op.DescendantsAndSelf())
                {
                    if (inner is IFlowCaptureOperation capture)
                    {
                        // A capture id written more than once (the arms of ?:) holds no single value.
                        _captures[capture.Id] = _captures.ContainsKey(capture.Id) ? null : capture.Value;
                    }
                }
            }
        }

        var blocks = graph.Blocks;
        var state = new Knowledge?[blocks.Length];
        state[0] = Knowledge.Empty;
        bool changed = true;
        for (int round = 0; changed && round < 4 * blocks.Length + 8; round++)
        {
            changed = false;
            for (int i = 1; i < blocks.Length; i++)
            {
                var block = blocks[i];
                Knowledge? incoming = null;
                foreach (var edge in block.Predecessors)
                {
                    if (state[edge.Source.Ordinal] is not { } before)
                    {
                        continue;
                    }

                    var along = before;
                    if (edge.Source.ConditionKind != ControlFlowConditionKind.None && edge.Source.BranchValue is { } condition &&
                        edge.Semantics == ControlFlowBranchSemantics.Regular)
                    {
                        bool whenTrue = edge.Source.ConditionKind == ControlFlowConditionKind.WhenTrue;
                        along = Assume(along, condition, edge.IsConditionalSuccessor ? whenTrue : !whenTrue, 0);
                    }

                    incoming = incoming is null ? along : incoming.Meet(along, conjunction: false);
                }

                // Region entries (catch, finally) have no ordinary predecessors: nothing is known there.
                incoming ??= block.Predecessors.IsEmpty ? Knowledge.Empty : null;
                if (incoming is not null && !incoming.Equals(state[i]))
                {
                    state[i] = incoming;
                    changed = true;
                }
            }
        }

        return state[target] ?? Knowledge.Unreachable;
    }

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

    /// <summary>
    /// Facts at one program point: a range per capability name, and the registers whose
    /// <c>Exists(caps)</c> was checked true. <see cref="Unreachable"/> is the state of a point no path
    /// reaches (every fact holds there).
    /// </summary>
    public sealed class Knowledge : IEquatable<Knowledge>
    {
        public static readonly Knowledge Empty = new(ImmutableDictionary<string, Range>.Empty, ImmutableHashSet<string>.Empty, false);
        public static readonly Knowledge Unreachable = new(ImmutableDictionary<string, Range>.Empty, ImmutableHashSet<string>.Empty, true);

        private readonly ImmutableDictionary<string, Range> _ranges;
        private readonly ImmutableHashSet<string> _exists;

        private Knowledge(ImmutableDictionary<string, Range> ranges, ImmutableHashSet<string> exists, bool unreachable)
        {
            _ranges = ranges;
            _exists = exists;
            IsUnreachable = unreachable;
        }

        public bool IsUnreachable { get; }

        public Range? RangeOf(string name) => _ranges.TryGetValue(name, out var range) ? range : null;

        public bool ExistsChecked(INamedTypeSymbol register) => IsUnreachable || _exists.Contains(Key(register));

        public Knowledge Constrain(string name, Range range)
        {
            if (IsUnreachable)
            {
                return this;
            }

            var merged = _ranges.TryGetValue(name, out var old) ? old.Intersect(range) : range;
            return merged.IsEmpty ? Unreachable : new Knowledge(_ranges.SetItem(name, merged), _exists, false);
        }

        public Knowledge WithExists(INamedTypeSymbol register) =>
            IsUnreachable ? this : new Knowledge(_ranges, _exists.Add(Key(register)), false);

        /// <summary>
        /// Combines two states: <paramref name="conjunction"/> keeps what holds in either (both are
        /// known at once), otherwise only what holds in both (paths joining).
        /// </summary>
        public Knowledge Meet(Knowledge other, bool conjunction)
        {
            if (conjunction)
            {
                var result = this;
                if (other.IsUnreachable)
                {
                    return other;
                }

                foreach (var pair in other._ranges)
                {
                    result = result.Constrain(pair.Key, pair.Value);
                }

                foreach (var register in other._exists)
                {
                    result = result.IsUnreachable ? result : new Knowledge(result._ranges, result._exists.Add(register), false);
                }

                return result;
            }

            if (IsUnreachable)
            {
                return other;
            }

            if (other.IsUnreachable)
            {
                return this;
            }

            var ranges = ImmutableDictionary<string, Range>.Empty;
            foreach (var pair in _ranges)
            {
                if (other._ranges.TryGetValue(pair.Key, out var theirs))
                {
                    ranges = ranges.Add(pair.Key, pair.Value.Hull(theirs));
                }
            }

            return new Knowledge(ranges, _exists.Intersect(other._exists), false);
        }

        public bool Equals(Knowledge? other)
        {
            if (other is null || other.IsUnreachable != IsUnreachable || other._ranges.Count != _ranges.Count || !_exists.SetEquals(other._exists))
            {
                return false;
            }

            foreach (var pair in _ranges)
            {
                if (!other._ranges.TryGetValue(pair.Key, out var range) || range != pair.Value)
                {
                    return false;
                }
            }

            return true;
        }

        public override bool Equals(object? obj) => Equals(obj as Knowledge);

        public override int GetHashCode() => _ranges.Count ^ (_exists.Count << 8) ^ (IsUnreachable ? 1 << 16 : 0);

        private static string Key(INamedTypeSymbol register) => register.OriginalDefinition.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
    }
}
