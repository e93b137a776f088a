using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using MsrGen.Analyzers.Model;

namespace MsrGen.Analyzers.Rules;

/// <summary>Where the MSR1006 fix can find a PmuCaps to write its guard against (the guard itself is judged by <see cref="GuardFlow"/>).</summary>
internal static class CapabilityGuards
{
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
