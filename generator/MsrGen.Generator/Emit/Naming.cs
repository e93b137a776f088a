using System;
using System.Collections.Generic;
using System.Globalization;
using MsrGen.Generator.Model;
using MsrGen.Generator.Parsing;

namespace MsrGen.Generator.Emit;

/// <summary>How definition names and values are spelled in generated C#.</summary>
internal static class Naming
{
    private static readonly HashSet<string> s_reservedMembers = new(StringComparer.Ordinal)
    {
        "Value", "Address", "BaseAddress", "Stride", "Maximum", "AddressOf", "RegisterName", "Name", "Reset",
        "Exists", "ReservedMask", "CheckReserved", "InterceptPolicy", "InstanceName", "Descriptor",
        "FromRawUnchecked", "Zero", "StaticReservedBits", "ResetBits", "ToString", "Equals", "GetHashCode",
        "GetType", "Access", "MaxInstances", "AddressStride",
    };

    public const string Core = "global::MsrGen.Registers.";

    /// <summary>EN_PMC → EnPmc; a name that clashes with a generated member gets a 'Field' suffix.</summary>
    public static string Member(string fieldName)
    {
        string name = DefinitionParser.TypeNameOf(fieldName);
        if (name.Length == 0 || char.IsDigit(name[0]))
        {
            name = "F" + name;
        }

        return s_reservedMembers.Contains(name) ? name + "Field" : name;
    }

    public static string Hex(ulong value) => "0x" + value.ToString("X", CultureInfo.InvariantCulture) + "UL";

    public static string Hex32(uint value) => "0x" + value.ToString("X", CultureInfo.InvariantCulture) + "u";

    public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string IntegerType(int width) =>
        width <= 8 ? "byte" : width <= 16 ? "ushort" : width <= 32 ? "uint" : "ulong";

    /// <summary>The number of bits of <see cref="IntegerType"/> for a field of this width.</summary>
    public static int TypeBits(int width) => width <= 8 ? 8 : width <= 16 ? 16 : width <= 32 ? 32 : 64;

    public static string Access(AccessKind access) => Core + "MsrAccess." + access;

    public static string Vendor(VendorKind vendor) => Core + "MsrVendor." + vendor;

    public static string Profile(ProfileKinds profile) => profile switch
    {
        ProfileKinds.Upstream => Core + "MsrProfile.Upstream",
        ProfileKinds.PvLbr2018 => Core + "MsrProfile.PvLbr2018",
        _ => Core + "MsrProfile.All",
    };

    public static string Effects(EffectKinds effects)
    {
        if (effects == EffectKinds.None)
        {
            return Core + "MsrSideEffects.None";
        }

        var parts = new List<string>();
        foreach (EffectKinds flag in new[] { EffectKinds.WriteOneToClear, EffectKinds.WriteOneToSet, EffectKinds.ReadClears, EffectKinds.ReadsAsZero })
        {
            if ((effects & flag) != 0)
            {
                parts.Add(Core + "MsrSideEffects." + flag);
            }
        }

        return string.Join(" | ", parts);
    }

    public static string Intercept(int policy) => policy switch
    {
        0 => Core + "MsrIntercept.None",
        1 => Core + "MsrIntercept.Read",
        2 => Core + "MsrIntercept.Write",
        _ => Core + "MsrIntercept.ReadWrite",
    };

    /// <summary>C# for a capability expression that the parser already validated.</summary>
    public static string Expression(string text, string caps = "caps", string host = "host", string index = "n")
    {
        if (!CapabilityExpression.TryParse(text, allowIndex: true, allowHost: true, out var expression, out _))
        {
            return "false";
        }

        return expression!.ToCSharp(caps, host, index);
    }
}
