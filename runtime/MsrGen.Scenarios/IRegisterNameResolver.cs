using System;
using System.Collections.Generic;

namespace MsrGen.Scenarios;

/// <summary>
/// Maps register names to MSR addresses. The catalog lives in the generated register library;
/// the parser only asks this interface. Names are passed upper-cased (invariant), with an array
/// register's index appended (<c>IA32_PMC3</c>).
/// </summary>
public interface IRegisterNameResolver
{
    bool TryResolve(string name, out uint address);
}

/// <summary>A resolver that knows no names: every register name is an error.</summary>
public sealed class NoRegisterNames : IRegisterNameResolver
{
    public static NoRegisterNames Instance { get; } = new();

    private NoRegisterNames()
    {
    }

    public bool TryResolve(string name, out uint address)
    {
        address = 0;
        return false;
    }
}

/// <summary>A resolver over a fixed name → address table (handy for tools and tests).</summary>
public sealed class DictionaryRegisterNameResolver : IRegisterNameResolver
{
    private readonly Dictionary<string, uint> addresses;

    public DictionaryRegisterNameResolver(IEnumerable<KeyValuePair<string, uint>> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        addresses = new Dictionary<string, uint>(names, StringComparer.OrdinalIgnoreCase);
    }

    public bool TryResolve(string name, out uint address) => addresses.TryGetValue(name, out address);
}
