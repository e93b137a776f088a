using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using MsrGen.Analyzers.Model;

namespace MsrGen.Analyzers.Rules;

/// <summary>
/// Where the guest's PMU state is loaded on the CPU: the whole body of a [GuestPmuContext] method, and
/// in any block the statements after a call to a [LoadsGuestPmuState] method up to a call to a
/// [PutsGuestPmuState] method. The region is followed through enclosing blocks, not across methods.
/// </summary>
internal static class GuestRegion
{
    /// <summary>Whether any access in these bodies can be in a region: the owner is [GuestPmuContext] or a body calls a loader.</summary>
    public static bool PossibleIn(ISymbol owner, System.Collections.Immutable.ImmutableArray<IOperation> bodies, KnownSymbols symbols)
    {
        for (var symbol = owner; symbol is IMethodSymbol method; symbol = method.ContainingSymbol)
        {
            if (KnownSymbols.HasAttribute(method, symbols.GuestPmuContextAttribute))
            {
                return true;
            }
        }

        foreach (var body in bodies)
        {
            if (Calls(body, symbols.LoadsGuestPmuStateAttribute, out _))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>How the message says why the access is inside the region; null when it is not.</summary>
    public static string? Explain(IOperation access, ISymbol? containing, KnownSymbols symbols)
    {
        for (var symbol = containing; symbol is IMethodSymbol method; symbol = method.ContainingSymbol)
        {
            if (KnownSymbols.HasAttribute(method, symbols.GuestPmuContextAttribute))
            {
                return "in " + method.Name + ", which is marked [GuestPmuContext]";
            }
        }

        if (symbols.LoadsGuestPmuStateAttribute is null)
        {
            return null;
        }

        IOperation child = access;
        for (var parent = access.Parent; parent is not null; child = parent, parent = parent.Parent)
        {
            if (parent is not IBlockOperation block)
            {
                continue;
            }

            int at = block.Operations.IndexOf(child);
            for (int i = at - 1; i >= 0; i--)
            {
                var statement = block.Operations[i];
                if (Calls(statement, symbols.PutsGuestPmuStateAttribute, out _))
                {
                    return null;
                }

                if (Calls(statement, symbols.LoadsGuestPmuStateAttribute, out string? loader))
                {
                    return "after the call to " + loader + " ([LoadsGuestPmuState]) and before the guest state is put";
                }
            }
        }

        return null;
    }

    private static bool Calls(IOperation statement, INamedTypeSymbol? attribute, out string? name)
    {
        name = null;
        if (attribute is null)
        {
            return false;
        }

        foreach (var op in statement.DescendantsAndSelf())
        {
            if (op is IInvocationOperation call && KnownSymbols.HasAttribute(call.TargetMethod.OriginalDefinition, attribute))
            {
                name = call.TargetMethod.Name;
                return true;
            }
        }

        return false;
    }
}
