using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using MsrGen.Analyzers.Model;
using MsrGen.Analyzers.Rules;
using MsrGen.Generator.Parsing;
using System.Collections.Generic;

namespace MsrGen.Analyzers;

/// <summary>The value, gate and index rules (MSR1002, MSR1006, MSR1008) and the helpers their messages and fixes need.</summary>
public sealed partial class MsrAccessAnalyzer
{
    private static void ReportReservedBits(OperationAnalysisContext context, RegisterCatalog catalog, RegisterInfo register, long index, IOperation value)
    {
        var folded = ValueFolder.Fold(value, catalog);
        if (folded is null || folded.Value == 0)
        {
            return;
        }

        var caps = StatedCaps.For(context.ContainingSymbol, catalog.Symbols, value);
        ulong reserved = ReservedBits.Mask(register, caps, index);
        if ((folded.Value & reserved) == 0)
        {
            return;
        }

        foreach (var source in folded.Sources)
        {
            ulong offending = source.Bits & reserved;
            if (offending == 0)
            {
                continue;
            }

            var properties = ImmutableDictionary.CreateBuilder<string, string?>();
            Location location;
            if (source.Setter is null)
            {
                location = source.Origin.Syntax.GetLocation();
                properties[FixProperties.ClearKind] = FixProperties.ReplaceConstant;
                properties[FixProperties.Replacement] = Literal(source.Bits & ~reserved, source.Origin.Type);
            }
            else
            {
                var setter = source.Setter;
                location = SetterLocation(setter.Call);
                if (offending == source.Bits)
                {
                    properties[FixProperties.ClearKind] = FixProperties.RemoveSetter;
                }
                else if (setter.ValueArgument.Value.Type?.SpecialType is SpecialType.System_UInt64 or SpecialType.System_UInt32 or
                         SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_UInt16 or SpecialType.System_Byte)
                {
                    properties[FixProperties.ClearKind] = FixProperties.ReplaceSetterValue;
                    properties[FixProperties.Replacement] = Literal((source.Bits & ~reserved) >> setter.Shift, setter.ValueArgument.Value.Type);
                }
            }

            context.ReportDiagnostic(Diagnostic.Create(
                Descriptors.MSR1002_ReservedBits,
                location,
                properties.ToImmutable(),
                ReservedBits.Describe(offending),
                register.InstanceName(index),
                offending.ToString("X", CultureInfo.InvariantCulture),
                caps.Description));
        }
    }

    private static void ReportUnguarded(
        OperationAnalysisContext context, IInvocationOperation invocation, RegisterInfo register, CapabilityExpression gate,
        long index, bool indexKnown, KnownSymbols symbols)
    {
        var needed = register.GateNamesNeedingGuard;
        if (needed.Count == 0)
        {
            return;
        }

        var caps = StatedCaps.For(context.ContainingSymbol, symbols, invocation);
        if (caps.IsStated && gate.Evaluate(caps.Lookup, null, index) is { } holds && holds != 0)
        {
            return;
        }

        var known = GuardFlow.At(invocation, GraphOf(context), symbols);
        if (known.ExistsChecked(register.Type))
        {
            return;
        }

        var missing = MissingGuards(register, gate, known, needed, indexKnown ? index : null);
        if (missing.Count == 0)
        {
            return;
        }

        string? capsName = CapabilityGuards.CapsInScope(invocation, context.ContainingSymbol, symbols);
        string guard = gate.ToCSharp(capsName ?? "caps", "host", index.ToString(CultureInfo.InvariantCulture));
        var properties = ImmutableDictionary<string, string?>.Empty;
        if (capsName is not null)
        {
            properties = properties.Add(FixProperties.Guard, guard);
        }

        context.ReportDiagnostic(Diagnostic.Create(
            Descriptors.MSR1006_UnguardedGatedRegister,
            invocation.Syntax.GetLocation(),
            properties,
            register.InstanceName(index),
            gate.Text,
            string.Join(", ", missing.Select(name => "'" + name + "'")),
            "if (" + guard.Replace("global::MsrGen.Registers.", "") + ") { … }"));
    }

    /// <summary>
    /// The gate's capabilities the code has not established at the access: the names of every
    /// top-level part of the gate that does not hold for all values the guards leave possible. Vendor
    /// names are implied by the register (an Intel register is used on Intel); on AMD, a known
    /// PERFMON_V2 means version 2 (KVM sets one exactly when the other).
    /// </summary>
    private static List<string> MissingGuards(
        RegisterInfo register, CapabilityExpression gate, GuardFlow.Knowledge known, IReadOnlyList<string> needed, long? index)
    {
        var parts = gate.JudgeConjuncts(
            name =>
            {
                var range = known.RangeOf(name);
                if (name is "intel" or "amd")
                {
                    return range ?? CapabilityExpression.Range.True;
                }

                if (name == "version" && register.IsAmdGated && known.RangeOf("perfmon-v2") is { Lo: 1 })
                {
                    var v2 = new CapabilityExpression.Range(2, long.MaxValue);
                    return range is { } r ? r.Intersect(v2) : v2;
                }

                return range;
            },
            index);
        var missing = new List<string>();
        foreach (var part in parts)
        {
            if (part.Holds == true)
            {
                continue;
            }

            foreach (var name in needed)
            {
                if (part.Names.Contains(name) && !missing.Contains(name))
                {
                    missing.Add(name);
                }
            }
        }

        bool holds = true;
        foreach (var part in parts)
        {
            holds &= part.Holds == true;
        }

        return holds ? new List<string>() : missing.Count > 0 ? missing : needed.ToList();
    }

    /// <summary>The control-flow graph of the body the access is in; null where none can be built.</summary>
    private static ControlFlowGraph? GraphOf(OperationAnalysisContext context)
    {
        try
        {
            return context.GetControlFlowGraph();
        }
        catch (System.ArgumentException)
        {
            return null;
        }
        catch (System.InvalidOperationException)
        {
            return null;
        }
    }

    private static void AnalyzeRegisterMember(
        OperationAnalysisContext context, IInvocationOperation invocation, IMethodSymbol method, RegisterInfo register, RegisterCatalog catalog)
    {
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter?.Name != "n" || argument.ArgumentKind != ArgumentKind.Explicit ||
                !TryConstantIndex(argument.Value, out long index))
            {
                continue;
            }

            var field = KnownSymbols.FindAttribute(method.GetAttributes(), catalog.Symbols.FieldAttribute);
            int elementCount = 0;
            if (field is not null)
            {
                foreach (var named in field.NamedArguments)
                {
                    if (named.Key == "ElementCount" && named.Value.Value is int count)
                    {
                        elementCount = count;
                    }
                }
            }

            if (elementCount > 0)
            {
                if (!InRange(index, elementCount))
                {
                    string fieldName = field!.ConstructorArguments[0].Value as string ?? method.Name;
                    ReportIndex(context, argument.Value, index, "field " + fieldName + " of " + register.Name, elementCount, "elements");
                }
            }
            else if (!InRange(index, register.MaxInstances))
            {
                ReportIndex(context, argument.Value, index, register.Name, register.MaxInstances, "instances");
            }
        }
    }

    private static bool TryConstantIndex(IOperation value, out long index)
    {
        var op = ValueFolder.Unwrap(value);
        index = 0;
        return op.ConstantValue.HasValue && ValueFolder.TryToInt64(op.ConstantValue.Value, out index);
    }

    private static bool InRange(long index, int count) => index >= 0 && index < count;

    private static void ReportIndex(OperationAnalysisContext context, IOperation at, long index, string what, int count, string unit) =>
        context.ReportDiagnostic(Diagnostic.Create(
            Descriptors.MSR1008_IndexBeyondMaximum,
            at.Syntax.GetLocation(),
            index.ToString(CultureInfo.InvariantCulture),
            what,
            count.ToString(CultureInfo.InvariantCulture),
            count == 1 ? unit.TrimEnd('s') : unit,
            (count - 1).ToString(CultureInfo.InvariantCulture)));

    /// <summary><c>WithEnPmc(5, true)</c> of <c>x.WithEnPmc(5, true)</c>: the call without its receiver, so chained setters get separate spans.</summary>
    private static Location SetterLocation(IInvocationOperation call)
    {
        if (call.Syntax is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax member } syntax)
        {
            return Location.Create(syntax.SyntaxTree, Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(member.Name.SpanStart, syntax.Span.End));
        }

        return call.Syntax.GetLocation();
    }

    private static string Literal(ulong value, ITypeSymbol? type)
    {
        string hex = "0x" + value.ToString("X", CultureInfo.InvariantCulture);
        return type?.SpecialType switch
        {
            SpecialType.System_UInt64 => hex + "UL",
            SpecialType.System_Int64 => hex + "L",
            SpecialType.System_UInt32 => hex + "u",
            _ => hex,
        };
    }
}
