using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace MsrGen.Analyzers.Model;

/// <summary>
/// The registers one compilation can see: the [MsrRegister] types of the register library, of every
/// referenced assembly built on it, and of the compilation itself (a user's own .msr files).
/// Built on first need and owned by one compilation; nothing survives it.
/// </summary>
internal sealed class RegisterCatalog
{
    private readonly Compilation _compilation;
    private readonly KnownSymbols _symbols;
    private readonly ConcurrentDictionary<INamedTypeSymbol, RegisterInfo?> _byType = new(SymbolEqualityComparer.Default);
    private List<RegisterInfo>? _all;

    public RegisterCatalog(Compilation compilation, KnownSymbols symbols)
    {
        _compilation = compilation;
        _symbols = symbols;
    }

    public KnownSymbols Symbols => _symbols;

    /// <summary>The register a type describes, or null when it is not a generated register.</summary>
    public RegisterInfo? Get(ITypeSymbol? type)
    {
        if (type is not INamedTypeSymbol named || named.TypeKind != TypeKind.Struct)
        {
            return null;
        }

        return _byType.GetOrAdd(named.OriginalDefinition, t => RegisterInfo.TryCreate(t, _symbols));
    }

    /// <summary>Whether a register type of this simple name is in the catalog (for constants declared in another file).</summary>
    public bool HasRegisterTypeNamed(string name)
    {
        foreach (var register in All())
        {
            if (register.Type.Name == name)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The register instance at an address: upstream profile first when two profiles share one.</summary>
    public bool TryResolve(uint address, out RegisterInfo? register, out long index)
    {
        register = null;
        index = 0;
        foreach (var candidate in All())
        {
            long i;
            if (candidate.IsArray)
            {
                if (address < candidate.Address || (address - candidate.Address) % candidate.Stride != 0)
                {
                    continue;
                }

                i = (address - candidate.Address) / candidate.Stride;
                if (i >= candidate.MaxInstances)
                {
                    continue;
                }
            }
            else if (address == candidate.Address)
            {
                i = 0;
            }
            else
            {
                continue;
            }

            bool better = register is null || ((candidate.Profile & 1) != 0 && (register.Profile & 1) == 0);
            if (better)
            {
                register = candidate;
                index = i;
            }
        }

        return register is not null;
    }

    private List<RegisterInfo> All()
    {
        var all = Volatile.Read(ref _all);
        if (all is not null)
        {
            return all;
        }

        var list = new List<RegisterInfo>();
        var registerAssembly = _symbols.RegisterAttribute.ContainingAssembly;
        Collect(_compilation.Assembly.GlobalNamespace, list);
        foreach (var reference in _compilation.References)
        {
            if (_compilation.GetAssemblyOrModuleSymbol(reference) is not IAssemblySymbol assembly ||
                !BuildsOn(assembly, registerAssembly))
            {
                continue;
            }

            Collect(assembly.GlobalNamespace, list);
        }

        list.Sort((a, b) => string.CompareOrdinal(a.Type.ToDisplayString(), b.Type.ToDisplayString()));
        Interlocked.CompareExchange(ref _all, list, null);
        return Volatile.Read(ref _all)!;
    }

    private static bool BuildsOn(IAssemblySymbol assembly, IAssemblySymbol registerAssembly)
    {
        if (SymbolEqualityComparer.Default.Equals(assembly, registerAssembly))
        {
            return true;
        }

        foreach (var module in assembly.Modules)
        {
            foreach (var referenced in module.ReferencedAssemblies)
            {
                if (referenced.Name == registerAssembly.Name)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private void Collect(INamespaceSymbol ns, List<RegisterInfo> into)
    {
        foreach (var type in ns.GetTypeMembers())
        {
            if (Get(type) is { } info)
            {
                into.Add(info);
            }
        }

        foreach (var child in ns.GetNamespaceMembers())
        {
            Collect(child, into);
        }
    }
}
