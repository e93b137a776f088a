using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace MsrGen.Analyzers.Model;

/// <summary>
/// The types of MsrGen.Registers the rules need, resolved once per compilation. A compilation that
/// does not reference the register library gets no instance, and the analyzers stay silent.
/// </summary>
internal sealed class KnownSymbols
{
    private KnownSymbols(
        INamedTypeSymbol registerAttribute,
        INamedTypeSymbol conditionalBitsAttribute,
        INamedTypeSymbol variableWidthAttribute,
        INamedTypeSymbol fieldAttribute,
        INamedTypeSymbol rawAccessAttribute,
        INamedTypeSymbol? assumePmuCapsAttribute,
        INamedTypeSymbol? guestPmuContextAttribute,
        INamedTypeSymbol? loadsGuestPmuStateAttribute,
        INamedTypeSymbol? putsGuestPmuStateAttribute,
        INamedTypeSymbol msrBus,
        INamedTypeSymbol busExtensions,
        INamedTypeSymbol pmuCaps,
        INamedTypeSymbol? pmuFeatures)
    {
        RegisterAttribute = registerAttribute;
        ConditionalBitsAttribute = conditionalBitsAttribute;
        VariableWidthAttribute = variableWidthAttribute;
        FieldAttribute = fieldAttribute;
        RawAccessAttribute = rawAccessAttribute;
        AssumePmuCapsAttribute = assumePmuCapsAttribute;
        GuestPmuContextAttribute = guestPmuContextAttribute;
        LoadsGuestPmuStateAttribute = loadsGuestPmuStateAttribute;
        PutsGuestPmuStateAttribute = putsGuestPmuStateAttribute;
        MsrBus = msrBus;
        BusExtensions = busExtensions;
        PmuCaps = pmuCaps;
        PmuFeatures = pmuFeatures;
        BusReadMsr = FindMethod(msrBus, "ReadMsr");
        BusWriteMsr = FindMethod(msrBus, "WriteMsr");
        TypedRead = FindMethod(busExtensions, "Read");
        TypedWrite = FindMethod(busExtensions, "Write");
        TypedHostWrite = FindMethod(busExtensions, "HostWrite");
    }

    public INamedTypeSymbol RegisterAttribute { get; }
    public INamedTypeSymbol ConditionalBitsAttribute { get; }
    public INamedTypeSymbol VariableWidthAttribute { get; }
    public INamedTypeSymbol FieldAttribute { get; }
    public INamedTypeSymbol RawAccessAttribute { get; }
    public INamedTypeSymbol? AssumePmuCapsAttribute { get; }
    public INamedTypeSymbol? GuestPmuContextAttribute { get; }
    public INamedTypeSymbol? LoadsGuestPmuStateAttribute { get; }
    public INamedTypeSymbol? PutsGuestPmuStateAttribute { get; }
    public INamedTypeSymbol MsrBus { get; }
    public INamedTypeSymbol BusExtensions { get; }
    public INamedTypeSymbol PmuCaps { get; }
    public INamedTypeSymbol? PmuFeatures { get; }
    public IMethodSymbol? BusReadMsr { get; }
    public IMethodSymbol? BusWriteMsr { get; }
    public IMethodSymbol? TypedRead { get; }
    public IMethodSymbol? TypedWrite { get; }
    public IMethodSymbol? TypedHostWrite { get; }

    public static KnownSymbols? TryCreate(Compilation compilation)
    {
        const string ns = "MsrGen.Registers.";
        var register = compilation.GetTypeByMetadataName(ns + "MsrRegisterAttribute");
        var conditional = compilation.GetTypeByMetadataName(ns + "MsrConditionalBitsAttribute");
        var width = compilation.GetTypeByMetadataName(ns + "MsrVariableWidthAttribute");
        var field = compilation.GetTypeByMetadataName(ns + "MsrFieldAttribute");
        var raw = compilation.GetTypeByMetadataName(ns + "MsrRawAccessAttribute");
        var bus = compilation.GetTypeByMetadataName(ns + "IMsrBus");
        var extensions = compilation.GetTypeByMetadataName(ns + "MsrBusExtensions");
        var caps = compilation.GetTypeByMetadataName(ns + "PmuCaps");
        if (register is null || conditional is null || width is null || field is null || raw is null ||
            bus is null || extensions is null || caps is null)
        {
            return null;
        }

        return new KnownSymbols(
            register,
            conditional,
            width,
            field,
            raw,
            compilation.GetTypeByMetadataName(ns + "AssumePmuCapsAttribute"),
            compilation.GetTypeByMetadataName(ns + "GuestPmuContextAttribute"),
            compilation.GetTypeByMetadataName(ns + "LoadsGuestPmuStateAttribute"),
            compilation.GetTypeByMetadataName(ns + "PutsGuestPmuStateAttribute"),
            bus,
            extensions,
            caps,
            compilation.GetTypeByMetadataName(ns + "PmuFeatures"));
    }

    public static bool HasAttribute(ISymbol symbol, INamedTypeSymbol? attribute)
    {
        if (attribute is null)
        {
            return false;
        }

        foreach (var data in symbol.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(data.AttributeClass, attribute))
            {
                return true;
            }
        }

        return false;
    }

    public static AttributeData? FindAttribute(ImmutableArray<AttributeData> attributes, INamedTypeSymbol? attribute)
    {
        if (attribute is null)
        {
            return null;
        }

        foreach (var data in attributes)
        {
            if (SymbolEqualityComparer.Default.Equals(data.AttributeClass, attribute))
            {
                return data;
            }
        }

        return null;
    }

    private static IMethodSymbol? FindMethod(INamedTypeSymbol type, string name)
    {
        foreach (var member in type.GetMembers(name))
        {
            if (member is IMethodSymbol method)
            {
                return method;
            }
        }

        return null;
    }
}
