using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using MsrGen.Analyzers.Model;
using MsrGen.Generator.Parsing;

namespace MsrGen.Analyzers.Rules;

/// <summary>
/// Which capabilities the code around an access checks: conditions of enclosing <c>if</c>, <c>?:</c>,
/// loops and <c>&amp;&amp;</c>/<c>||</c>, and early exits (<c>if (!caps.X) return;</c>) before it in an
/// enclosing block. A condition "checks" a capability when it reads the PmuCaps member the definition
/// language maps the name to (<c>caps.Version</c>, <c>caps.Has(PmuFeatures.PvLbrCtrl)</c>, …); a call
/// to the register's own <c>Exists(caps)</c> checks every capability of its gate.
/// </summary>
internal static class CapabilityGuards
{
    /// <summary>The capability names checked around <paramref name="access"/>; "*" when Exists() is checked.</summary>
    public static HashSet<string> CheckedAround(IOperation access, KnownSymbols symbols)
    {
        var checkedNames = new HashSet<string>(StringComparer.Ordinal);
        IOperation child = access;
        for (var parent = access.Parent; parent is not null; child = parent, parent = parent.Parent)
        {
            switch (parent)
            {
                case IConditionalOperation conditional when !ReferenceEquals(child, conditional.Condition):
                    Mentions(conditional.Condition, symbols, checkedNames);
                    break;
                case IWhileLoopOperation { Condition: { } loopCondition } when !ReferenceEquals(child, loopCondition):
                    Mentions(loopCondition, symbols, checkedNames);
                    break;
                case IForLoopOperation { Condition: { } forCondition } when !ReferenceEquals(child, forCondition):
                    Mentions(forCondition, symbols, checkedNames);
                    break;
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr } binary
                    when ReferenceEquals(child, binary.RightOperand):
                    Mentions(binary.LeftOperand, symbols, checkedNames);
                    break;
                case IBlockOperation block:
                    foreach (var statement in block.Operations)
                    {
                        if (ReferenceEquals(statement, child))
                        {
                            break;
                        }

                        if (statement is IConditionalOperation { WhenFalse: null } early && Exits(early.WhenTrue))
                        {
                            Mentions(early.Condition, symbols, checkedNames);
                        }
                    }

                    break;
            }
        }

        return checkedNames;
    }

    public static bool IsChecked(string name, HashSet<string> checkedNames) =>
        checkedNames.Contains("*") || checkedNames.Contains(name);

    private static bool Exits(IOperation operation) => operation switch
    {
        IReturnOperation or IBranchOperation or IThrowOperation => true,
        IExpressionStatementOperation { Operation: IThrowOperation } => true,
        IBlockOperation block => block.Operations.Length > 0 && Exits(block.Operations[block.Operations.Length - 1]),
        _ => false,
    };

    private static void Mentions(IOperation condition, KnownSymbols symbols, HashSet<string> into)
    {
        foreach (var op in condition.DescendantsAndSelf())
        {
            switch (op)
            {
                case IPropertyReferenceOperation property when IsType(property.Property.ContainingType, symbols.PmuCaps):
                    AddByMember(property.Property.Name, into);
                    break;
                case IFieldReferenceOperation field when IsType(field.Field.ContainingType, symbols.PmuFeatures):
                    AddByMember("Has(global::MsrGen.Registers.PmuFeatures." + field.Field.Name + ")", into);
                    break;
                case IFieldReferenceOperation constant when IsType(constant.Field.ContainingType, symbols.PmuCaps):
                    AddByPerfCapabilityBit(constant.Field.Name, into);
                    break;
                case IInvocationOperation { TargetMethod.Name: "Lookup" } lookup when IsType(lookup.TargetMethod.ContainingType, symbols.PmuCaps) &&
                                                                                    lookup.Arguments.Length == 1 &&
                                                                                    lookup.Arguments[0].Value.ConstantValue.Value is string name:
                    into.Add(name);
                    break;
                case IInvocationOperation { TargetMethod.Name: "Exists", TargetMethod.IsStatic: true } exists
                    when KnownSymbols.HasAttribute(exists.TargetMethod.ContainingType, symbols.RegisterAttribute):
                    into.Add("*");
                    break;
            }
        }
    }

    private static void AddByMember(string member, HashSet<string> into)
    {
        foreach (var entry in CapabilityExpression.Vocabulary)
        {
            if (entry.Value.Member == member)
            {
                into.Add(entry.Key);
            }
        }
    }

    private static void AddByPerfCapabilityBit(string constant, HashSet<string> into)
    {
        switch (constant)
        {
            case "PerfCapFullWidthWrites":
                into.Add("fw-writes");
                break;
            case "PerfCapPebsBaseline":
                into.Add("pebs-baseline");
                break;
            case "PerfCapPerfMetrics":
                into.Add("perf-metrics");
                break;
        }
    }

    private static bool IsType(ITypeSymbol? type, INamedTypeSymbol? expected) =>
        expected is not null && SymbolEqualityComparer.Default.Equals(type?.OriginalDefinition, expected);

    /// <summary>A PmuCaps the code can name at the access: a parameter, an earlier local, or a member of the type.</summary>
    public static string? CapsInScope(IOperation access, ISymbol? containing, KnownSymbols symbols)
    {
        if (containing is IMethodSymbol method)
        {
            foreach (var parameter in method.Parameters)
            {
                if (IsType(parameter.Type, symbols.PmuCaps))
                {
                    return parameter.Name;
                }
            }
        }

        IOperation child = access;
        for (var parent = access.Parent; parent is not null; child = parent, parent = parent.Parent)
        {
            if (parent is not IBlockOperation block)
            {
                continue;
            }

            foreach (var statement in block.Operations)
            {
                if (ReferenceEquals(statement, child))
                {
                    break;
                }

                if (statement is IVariableDeclarationGroupOperation group)
                {
                    foreach (var declaration in group.Declarations)
                    {
                        foreach (var declarator in declaration.Declarators)
                        {
                            if (IsType(declarator.Symbol.Type, symbols.PmuCaps))
                            {
                                return declarator.Symbol.Name;
                            }
                        }
                    }
                }
            }
        }

        bool isStatic = containing?.IsStatic ?? true;
        for (var type = containing?.ContainingType; type is not null; type = type.ContainingType)
        {
            foreach (var member in type.GetMembers())
            {
                if (member.IsImplicitlyDeclared || (isStatic && !member.IsStatic))
                {
                    continue;
                }

                var memberType = member switch
                {
                    IFieldSymbol f => f.Type,
                    IPropertySymbol p when !p.IsIndexer => p.Type,
                    _ => null,
                };
                if (IsType(memberType, symbols.PmuCaps))
                {
                    return member.Name;
                }
            }
        }

        return null;
    }
}
