using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using MsrGen.Generator.Parsing;

namespace MsrGen.Analyzers.Model;

/// <summary>Values of the MsrAccess enum of the register library (kept in step by the enum's numbers).</summary>
internal enum RegisterAccess
{
    ReadWrite = 0,
    ReadOnly = 1,
    WriteOnly = 2,
}

/// <summary>Values of the MsrSideEffects flags of the register library.</summary>
[Flags]
internal enum RegisterSideEffects
{
    None = 0,
    WriteOneToClear = 1,
    WriteOneToSet = 2,
    ReadClears = 4,
    ReadsAsZero = 8,
}

/// <summary>Bits that exist only under a condition (one MsrConditionalBits attribute).</summary>
internal sealed class ConditionalBits
{
    public ConditionalBits(ulong mask, CapabilityExpression? condition, int elementStride, int elementCount, CapabilityExpression? elementBound)
    {
        Mask = mask;
        Condition = condition;
        ElementStride = elementStride;
        ElementCount = elementCount;
        ElementBound = elementBound;
    }

    public ulong Mask { get; }
    /// <summary>Null when the text did not parse: the bits are then never judged reserved.</summary>
    public CapabilityExpression? Condition { get; }
    public int ElementStride { get; }
    public int ElementCount { get; }
    public CapabilityExpression? ElementBound { get; }
}

/// <summary>Bits above a capability-given width (one MsrVariableWidth attribute).</summary>
internal sealed class VariableWidth
{
    public VariableWidth(ulong mask, int lsb, CapabilityExpression? width)
    {
        Mask = mask;
        Lsb = lsb;
        Width = width;
    }

    public ulong Mask { get; }
    public int Lsb { get; }
    public CapabilityExpression? Width { get; }
}

/// <summary>What the metadata attributes of one generated register type say.</summary>
internal sealed class RegisterInfo
{
    private RegisterInfo(
        INamedTypeSymbol type,
        string name,
        uint address,
        uint stride,
        int maxInstances,
        RegisterAccess access,
        RegisterAccess hostAccess,
        RegisterSideEffects sideEffects,
        int profile,
        ulong staticReserved,
        CapabilityExpression? gate,
        bool hostPmu,
        ImmutableArray<ConditionalBits> conditionalBits,
        ImmutableArray<VariableWidth> variableWidths)
    {
        Type = type;
        Name = name;
        Address = address;
        Stride = stride;
        MaxInstances = maxInstances;
        Access = access;
        HostAccess = hostAccess;
        SideEffects = sideEffects;
        Profile = profile;
        StaticReserved = staticReserved;
        Gate = gate;
        HostPmu = hostPmu;
        ConditionalBits = conditionalBits;
        VariableWidths = variableWidths;
        GateNamesNeedingGuard = gate is null ? Array.Empty<string>() : NamesNeedingGuard(gate);
        IsAmdGated = gate is not null && NamesIn(gate).Contains("amd");
    }

    public INamedTypeSymbol Type { get; }
    /// <summary>SDM name; arrays carry <c>{n}</c> where the index goes.</summary>
    public string Name { get; }
    public uint Address { get; }
    public uint Stride { get; }
    public int MaxInstances { get; }
    public bool IsArray => Stride != 0 && MaxInstances > 1;
    public RegisterAccess Access { get; }
    public RegisterAccess HostAccess { get; }
    public RegisterSideEffects SideEffects { get; }
    public int Profile { get; }
    public ulong StaticReserved { get; }
    public CapabilityExpression? Gate { get; }
    public bool HostPmu { get; }
    public ImmutableArray<ConditionalBits> ConditionalBits { get; }
    public ImmutableArray<VariableWidth> VariableWidths { get; }

    /// <summary>The capabilities of the gate an access must be guarded by (vendor names are implied by the register).</summary>
    public IReadOnlyList<string> GateNamesNeedingGuard { get; }

    /// <summary>The gate names the AMD vendor (its 'version &gt;= 2' is what CPUID calls PERFMON_V2).</summary>
    public bool IsAmdGated { get; }

    /// <summary>Other names from the definition's 'alias' lines: NAME, NAME{n} or NAME@k.</summary>
    public string[] Aliases { get; init; } = Array.Empty<string>();

    /// <summary>The instance name followed by the kernel's names for it: <c>IA32_PMC1 (MSR_IA32_PERFCTR1, …)</c>.</summary>
    public string InstanceNameWithAliases(long index)
    {
        string number = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var names = new List<string>();
        foreach (string alias in Aliases)
        {
            int at = alias.IndexOf('@');
            if (at < 0)
            {
                names.Add(alias.Replace("{n}", number));
            }
            else if (alias.Substring(at + 1) == number)
            {
                names.Add(alias.Substring(0, at));
            }
        }

        return names.Count == 0 ? InstanceName(index) : InstanceName(index) + " (" + string.Join(", ", names) + ")";
    }

    /// <summary>The instance name: <c>IA32_PMC{n}</c> with the index put in.</summary>
    public string InstanceName(long index) =>
        IsArray ? Name.Replace("{n}", index.ToString(System.Globalization.CultureInfo.InvariantCulture)) : Name;

    /// <summary>The C# expression naming this instance's address, e.g. <c>Ia32Pmc.AddressOf(2)</c>.</summary>
    public string AddressExpression(long index, bool fullyQualified)
    {
        string type = fullyQualified ? Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) : Type.Name;
        return IsArray
            ? type + ".AddressOf(" + index.ToString(System.Globalization.CultureInfo.InvariantCulture) + ")"
            : type + ".Address";
    }

    public static RegisterInfo? TryCreate(INamedTypeSymbol type, KnownSymbols symbols)
    {
        var attributes = type.GetAttributes();
        var register = KnownSymbols.FindAttribute(attributes, symbols.RegisterAttribute);
        if (register is null || register.ConstructorArguments.Length != 2 ||
            register.ConstructorArguments[0].Value is not string name ||
            register.ConstructorArguments[1].Value is not uint address)
        {
            return null;
        }

        uint stride = 0;
        int max = 1;
        var access = RegisterAccess.ReadWrite;
        var hostAccess = RegisterAccess.ReadWrite;
        var effects = RegisterSideEffects.None;
        int profile = 3;
        ulong staticReserved = 0;
        CapabilityExpression? gate = null;
        bool hostPmu = false;
        string[] aliases = Array.Empty<string>();
        foreach (var named in register.NamedArguments)
        {
            object? value = named.Value.Value;
            switch (named.Key)
            {
                case "Stride" when value is uint s:
                    stride = s;
                    break;
                case "MaxInstances" when value is int m:
                    max = m;
                    break;
                case "Access":
                    access = (RegisterAccess)Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "HostAccess":
                    hostAccess = (RegisterAccess)Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "SideEffects":
                    effects = (RegisterSideEffects)Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "Profile":
                    profile = Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "StaticReserved" when value is ulong r:
                    staticReserved = r;
                    break;
                case "Gate" when value is string g && g.Length > 0:
                    gate = Parse(g, allowIndex: true);
                    break;
                case "HostPmu" when value is bool h:
                    hostPmu = h;
                    break;
                case "Aliases" when value is string a:
                    aliases = a.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
                    break;
            }
        }

        var conditional = ImmutableArray.CreateBuilder<ConditionalBits>();
        var widths = ImmutableArray.CreateBuilder<VariableWidth>();
        foreach (var data in attributes)
        {
            if (SymbolEqualityComparer.Default.Equals(data.AttributeClass, symbols.ConditionalBitsAttribute) &&
                data.ConstructorArguments.Length == 2 &&
                data.ConstructorArguments[0].Value is ulong mask &&
                data.ConstructorArguments[1].Value is string condition)
            {
                int elementStride = 0;
                int elementCount = 0;
                string bound = "";
                foreach (var named in data.NamedArguments)
                {
                    switch (named.Key)
                    {
                        case "ElementStride" when named.Value.Value is int es:
                            elementStride = es;
                            break;
                        case "ElementCount" when named.Value.Value is int ec:
                            elementCount = ec;
                            break;
                        case "ElementBound" when named.Value.Value is string eb:
                            bound = eb;
                            break;
                    }
                }

                conditional.Add(new ConditionalBits(
                    mask,
                    Parse(condition, allowIndex: true),
                    elementStride,
                    elementCount,
                    bound.Length == 0 ? null : Parse(bound, allowIndex: true)));
            }
            else if (SymbolEqualityComparer.Default.Equals(data.AttributeClass, symbols.VariableWidthAttribute) &&
                     data.ConstructorArguments.Length == 3 &&
                     data.ConstructorArguments[0].Value is ulong widthMask &&
                     data.ConstructorArguments[1].Value is int lsb &&
                     data.ConstructorArguments[2].Value is string widthText)
            {
                widths.Add(new VariableWidth(widthMask, lsb, Parse(widthText, allowIndex: true)));
            }
        }

        return new RegisterInfo(
            type, name, address, stride, max, access, hostAccess, effects, profile, staticReserved, gate, hostPmu,
            conditional.ToImmutable(), widths.ToImmutable()) { Aliases = aliases };
    }

    private static string[] NamesNeedingGuard(CapabilityExpression gate)
    {
        var names = new List<string>();
        foreach (var name in NamesIn(gate))
        {
            if (name != "intel" && name != "amd" && !name.StartsWith("host.", StringComparison.Ordinal))
            {
                names.Add(name);
            }
        }

        return names.ToArray();
    }

    /// <summary>The capability names a gate mentions (vendor names included).</summary>
    public static ICollection<string> NamesIn(CapabilityExpression expression)
    {
        // Evaluating with a lookup that knows nothing visits every identifier: unknown operands
        // defeat the short-circuit of && and ||.
        var names = new SortedSet<string>(StringComparer.Ordinal);
        expression.Evaluate(
            name =>
            {
                names.Add(name);
                return null;
            },
            name =>
            {
                names.Add("host." + name);
                return null;
            },
            0);
        return names;
    }

    private static CapabilityExpression? Parse(string text, bool allowIndex) =>
        CapabilityExpression.TryParse(text, allowIndex, allowHost: true, out var expression, out _) ? expression : null;
}
