using System;
using System.Collections.Generic;

namespace MsrGen.Generator.Parsing;

/// <summary>
/// Three-valued evaluation of a condition against what the code around an access has established:
/// each capability is known only to lie in a range (a boolean in [0,1]), and the result is true when
/// the condition holds for every value in the ranges, false when it holds for none, null otherwise.
/// Only the analyzers need this, so it lives beside them and not in the generator.
/// </summary>
internal sealed partial class CapabilityExpression
{
    /// <summary>An inclusive range of values a capability is known to lie in.</summary>
    public readonly record struct Range(long Lo, long Hi)
    {
        public static readonly Range Any = new(long.MinValue, long.MaxValue);
        public static readonly Range Unknown = new(0, 1);
        public static readonly Range True = new(1, 1);
        public static readonly Range False = new(0, 0);

        public bool IsEmpty => Lo > Hi;

        public Range Intersect(Range other) => new(Math.Max(Lo, other.Lo), Math.Min(Hi, other.Hi));

        public Range Hull(Range other) => new(Math.Min(Lo, other.Lo), Math.Max(Hi, other.Hi));
    }

    /// <summary>One top-level <c>&amp;&amp;</c> operand of the condition, whether it holds, and the names it reads.</summary>
    public readonly record struct ConjunctResult(bool? Holds, IReadOnlyCollection<string> Names);

    /// <summary>Splits the condition at its top-level <c>&amp;&amp;</c> and judges each part against the known ranges.</summary>
    public IReadOnlyList<ConjunctResult> JudgeConjuncts(Func<string, Range?> guest, long? index)
    {
        var parts = new List<Node>();
        Split(_root, parts);
        var results = new List<ConjunctResult>(parts.Count);
        foreach (var part in parts)
        {
            var names = new SortedSet<string>(StringComparer.Ordinal);
            Collect(part, names);
            var range = Truth(RangeOf(part, guest, index));
            results.Add(new ConjunctResult(range.Lo == 1 ? true : range.Hi == 0 ? false : null, names));
        }

        return results;
    }

    private static void Split(Node node, List<Node> into)
    {
        if (node is Binary { Op: "&&" } and)
        {
            Split(and.Left, into);
            Split(and.Right, into);
        }
        else
        {
            into.Add(node);
        }
    }

    private static void Collect(Node node, ISet<string> into)
    {
        switch (node)
        {
            case Identifier { Host: false } id:
                into.Add(id.Name);
                break;
            case Not n:
                Collect(n.Operand, into);
                break;
            case Binary b:
                Collect(b.Left, into);
                Collect(b.Right, into);
                break;
        }
    }

    private static Range Truth(Range value) =>
        value.Lo > 0 || value.Hi < 0 ? Range.True : value is { Lo: 0, Hi: 0 } ? Range.False : Range.Unknown;

    private static Range Bool(bool? value) => value switch { true => Range.True, false => Range.False, null => Range.Unknown };

    private static Range RangeOf(Node node, Func<string, Range?> guest, long? index)
    {
        switch (node)
        {
            case Literal l:
                return new Range(l.Value, l.Value);
            case IndexRef:
                return index is { } i ? new Range(i, i) : Range.Any;
            case Identifier id:
                return (id.Host ? null : guest(id.Name)) ?? (id.Kind == ValueKind.Boolean ? Range.Unknown : Range.Any);
            case Not n:
                var operand = Truth(RangeOf(n.Operand, guest, index));
                return new Range(1 - operand.Hi, 1 - operand.Lo);
            case Binary b:
                var left = RangeOf(b.Left, guest, index);
                var right = RangeOf(b.Right, guest, index);
                switch (b.Op)
                {
                    case "&&":
                        left = Truth(left);
                        right = Truth(right);
                        return new Range(left.Lo == 1 && right.Lo == 1 ? 1 : 0, left.Hi == 1 && right.Hi == 1 ? 1 : 0);
                    case "||":
                        left = Truth(left);
                        right = Truth(right);
                        return new Range(left.Lo == 1 || right.Lo == 1 ? 1 : 0, left.Hi == 1 || right.Hi == 1 ? 1 : 0);
                    case "==":
                        return Bool(Equal(left, right));
                    case "!=":
                        return Bool(!Equal(left, right));
                    case "<":
                        return Bool(Less(left, right, orEqual: false));
                    case "<=":
                        return Bool(Less(left, right, orEqual: true));
                    case ">":
                        return Bool(Less(right, left, orEqual: false));
                    case ">=":
                        return Bool(Less(right, left, orEqual: true));
                }

                return Range.Unknown;
            default:
                return Range.Unknown;
        }
    }

    private static bool? Equal(Range a, Range b)
    {
        if (a.Lo == a.Hi && b.Lo == b.Hi && a.Lo == b.Lo)
        {
            return true;
        }

        return a.Hi < b.Lo || b.Hi < a.Lo ? false : null;
    }

    /// <summary>Whether every value of <paramref name="a"/> is below (or at) every value of <paramref name="b"/>.</summary>
    private static bool? Less(Range a, Range b, bool orEqual)
    {
        if (orEqual ? a.Hi <= b.Lo : a.Hi < b.Lo)
        {
            return true;
        }

        return (orEqual ? a.Lo > b.Hi : a.Lo >= b.Hi) ? false : null;
    }
}
