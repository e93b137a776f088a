using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace MsrGen.Generator.Parsing;

/// <summary>
/// The small expression language of <c>when</c>, <c>gate</c>, <c>count</c>, <c>width</c> and
/// intercept conditions: capability names (<c>tsx</c>, <c>gp</c>, <c>host.gp</c>), the array index
/// <c>n</c>, integers, <c>true</c>/<c>false</c>, comparisons, <c>!</c>, <c>&amp;&amp;</c>, <c>||</c> and parentheses.
/// Parsed once, then either emitted as C# or evaluated (the analyzers evaluate it against stated caps).
/// This file is shared with the analyzers, so it depends on nothing but the BCL.
/// </summary>
internal sealed partial class CapabilityExpression
{
    public enum ValueKind { Boolean, Integer }

    /// <summary>Capability names, their C# member on <c>PmuCaps</c>, and their kind.</summary>
    public static readonly IReadOnlyDictionary<string, (string Member, ValueKind Kind)> Vocabulary =
        new Dictionary<string, (string, ValueKind)>(StringComparer.Ordinal)
        {
            ["intel"] = ("IsIntel", ValueKind.Boolean),
            ["amd"] = ("IsAmd", ValueKind.Boolean),
            ["version"] = ("Version", ValueKind.Integer),
            ["gp"] = ("GpCounters", ValueKind.Integer),
            ["fixed"] = ("FixedCounters", ValueKind.Integer),
            ["gp-width"] = ("GpWidth", ValueKind.Integer),
            ["fixed-width"] = ("FixedWidth", ValueKind.Integer),
            ["lbr-depth"] = ("LbrDepth", ValueKind.Integer),
            ["pebs-format"] = ("PebsFormat", ValueKind.Integer),
            ["lbr-format"] = ("LbrFormat", ValueKind.Integer),
            ["pdcm"] = ("Has(global::MsrGen.Registers.PmuFeatures.Pdcm)", ValueKind.Boolean),
            ["tsx"] = ("Has(global::MsrGen.Registers.PmuFeatures.Tsx)", ValueKind.Boolean),
            ["rtm"] = ("Has(global::MsrGen.Registers.PmuFeatures.Rtm)", ValueKind.Boolean),
            ["perfctr-core"] = ("Has(global::MsrGen.Registers.PmuFeatures.PerfctrCore)", ValueKind.Boolean),
            ["perfmon-v2"] = ("Has(global::MsrGen.Registers.PmuFeatures.PerfmonV2)", ValueKind.Boolean),
            ["pv-lbr-ctrl"] = ("Has(global::MsrGen.Registers.PmuFeatures.PvLbrCtrl)", ValueKind.Boolean),
            ["poll-control"] = ("Has(global::MsrGen.Registers.PmuFeatures.PollControl)", ValueKind.Boolean),
            ["pt-host-guest"] = ("Has(global::MsrGen.Registers.PmuFeatures.PtHostGuest)", ValueKind.Boolean),
            ["arch-lbr"] = ("Has(global::MsrGen.Registers.PmuFeatures.ArchLbr)", ValueKind.Boolean),
            ["ds"] = ("Has(global::MsrGen.Registers.PmuFeatures.Ds)", ValueKind.Boolean),
            ["bus-lock-detect"] = ("Has(global::MsrGen.Registers.PmuFeatures.BusLockDetect)", ValueKind.Boolean),
            ["fw-writes"] = ("FullWidthWrites", ValueKind.Boolean),
            ["pebs-baseline"] = ("PebsBaseline", ValueKind.Boolean),
            ["perf-metrics"] = ("PerfMetrics", ValueKind.Boolean),
            ["lbr"] = ("Lbr", ValueKind.Boolean),
            ["lbr-info"] = ("LbrInfo", ValueKind.Boolean),
        };

    private abstract record Node;
    private sealed record Literal(long Value, ValueKind Kind) : Node;
    private sealed record Identifier(string Name, bool Host, ValueKind Kind) : Node;
    private sealed record IndexRef : Node;
    private sealed record Not(Node Operand) : Node;
    private sealed record Binary(string Op, Node Left, Node Right) : Node;

    private readonly Node _root;

    private CapabilityExpression(string text, Node root, ValueKind kind, bool usesIndex, bool usesHost)
    {
        Text = text;
        _root = root;
        Kind = kind;
        UsesIndex = usesIndex;
        UsesHost = usesHost;
    }

    public string Text { get; }
    public ValueKind Kind { get; }
    public bool UsesIndex { get; }
    public bool UsesHost { get; }

    /// <summary>An error found while parsing: what and at which character of the expression.</summary>
    public readonly struct Error
    {
        public Error(string message, int position, bool unknownCapability)
        {
            Message = message;
            Position = position;
            UnknownCapability = unknownCapability;
        }

        public string Message { get; }
        public int Position { get; }
        public bool UnknownCapability { get; }
    }

    public static bool TryParse(string text, bool allowIndex, bool allowHost, out CapabilityExpression? expression, out Error error)
    {
        var parser = new Parser(text, allowIndex, allowHost);
        expression = null;
        try
        {
            var node = parser.ParseOr();
            parser.SkipSpace();
            if (!parser.AtEnd)
            {
                error = new Error($"unexpected '{parser.Rest}' in expression '{text}'", parser.Position, false);
                return false;
            }

            expression = new CapabilityExpression(text, node, KindOf(node), parser.UsedIndex, parser.UsedHost);
            error = default;
            return true;
        }
        catch (ExpressionException ex)
        {
            error = new Error(ex.Message, ex.Position, ex.UnknownCapability);
            return false;
        }
    }

    /// <summary>C# source for this expression; <paramref name="caps"/>, <paramref name="host"/> and <paramref name="index"/> name the variables.</summary>
    public string ToCSharp(string caps, string host, string index)
    {
        var sb = new StringBuilder();
        Emit(_root, sb, caps, host, index, parent: 0);
        return sb.ToString();
    }

    /// <summary>
    /// The value when the expression reads no capability and no index (<c>true</c>, <c>!false</c>,
    /// <c>53 == 30</c>), else null. Such a condition would be a C# constant, and <c>if (!(true))</c>
    /// in generated code is a CS0162 warning, so the parser replaces it by "always" or "false".
    /// </summary>
    public long? ConstantValue => Fold(_root);

    private static long? Fold(Node node)
    {
        switch (node)
        {
            case Literal l:
                return l.Value;
            case Not n:
                return Fold(n.Operand) is long v ? (v == 0 ? 1 : 0) : null;
            case Binary b:
                return Fold(b.Left) is long left && Fold(b.Right) is long right
                    ? Eval(new Binary(b.Op, new Literal(left, ValueKind.Integer), new Literal(right, ValueKind.Integer)), _ => null, null, 0)
                    : null;
            default:
                return null;
        }
    }

    /// <summary>Evaluates with a lookup of capability values (booleans as 0/1); null when a name is unknown to the lookup.</summary>
    public long? Evaluate(Func<string, long?> guest, Func<string, long?>? host, long index) => Eval(_root, guest, host, index);

    private static long? Eval(Node node, Func<string, long?> guest, Func<string, long?>? host, long index)
    {
        switch (node)
        {
            case Literal l:
                return l.Value;
            case IndexRef:
                return index;
            case Identifier id:
                return id.Host ? host?.Invoke(id.Name) : guest(id.Name);
            case Not n:
                var v = Eval(n.Operand, guest, host, index);
                return v is null ? null : v == 0 ? 1 : 0;
            case Binary b:
                var l2 = Eval(b.Left, guest, host, index);
                if (b.Op == "&&" && l2 == 0)
                {
                    return 0;
                }

                if (b.Op == "||" && l2 is not null && l2 != 0)
                {
                    return 1;
                }

                var r = Eval(b.Right, guest, host, index);
                if (l2 is null || r is null)
                {
                    return null;
                }

                return b.Op switch
                {
                    "&&" => (l2 != 0 && r != 0) ? 1 : 0,
                    "||" => (l2 != 0 || r != 0) ? 1 : 0,
                    "==" => l2 == r ? 1 : 0,
                    "!=" => l2 != r ? 1 : 0,
                    "<" => l2 < r ? 1 : 0,
                    "<=" => l2 <= r ? 1 : 0,
                    ">" => l2 > r ? 1 : 0,
                    ">=" => l2 >= r ? 1 : 0,
                    _ => null,
                };
            default:
                return null;
        }
    }

    private static int Precedence(string op) => op switch { "||" => 1, "&&" => 2, _ => 3 };

    private static void Emit(Node node, StringBuilder sb, string caps, string host, string index, int parent)
    {
        switch (node)
        {
            case Literal l:
                sb.Append(l.Kind == ValueKind.Boolean ? (l.Value != 0 ? "true" : "false") : l.Value.ToString(CultureInfo.InvariantCulture));
                break;
            case IndexRef:
                sb.Append(index);
                break;
            case Identifier id:
                sb.Append(id.Host ? host : caps).Append('.').Append(Vocabulary[id.Name].Member);
                break;
            case Not n:
                sb.Append('!');
                bool wrap = n.Operand is Binary;
                if (wrap)
                {
                    sb.Append('(');
                }

                Emit(n.Operand, sb, caps, host, index, 0);
                if (wrap)
                {
                    sb.Append(')');
                }

                break;
            case Binary b:
                int p = Precedence(b.Op);
                bool paren = p < parent;
                if (paren)
                {
                    sb.Append('(');
                }

                Emit(b.Left, sb, caps, host, index, p);
                sb.Append(' ').Append(b.Op).Append(' ');
                Emit(b.Right, sb, caps, host, index, p == 3 ? 3 : p + 1);
                if (paren)
                {
                    sb.Append(')');
                }

                break;
        }
    }

    private static ValueKind KindOf(Node node) => node switch
    {
        Literal l => l.Kind,
        Identifier id => id.Kind,
        IndexRef => ValueKind.Integer,
        _ => ValueKind.Boolean,
    };

    private sealed class ExpressionException : Exception
    {
        public ExpressionException(string message, int position, bool unknownCapability = false)
            : base(message)
        {
            Position = position;
            UnknownCapability = unknownCapability;
        }

        public int Position { get; }
        public bool UnknownCapability { get; }
    }
}
