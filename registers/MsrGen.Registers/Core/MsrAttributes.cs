using System;

namespace MsrGen.Registers;

// Metadata the generator puts on the generated API. Analyzers read it back from symbols
// instead of re-parsing definition files; the runtime does not need it.

/// <summary>Marks a generated register type.</summary>
[AttributeUsage(AttributeTargets.Struct, Inherited = false)]
public sealed class MsrRegisterAttribute : Attribute
{
    public MsrRegisterAttribute(string name, uint address) { Name = name; Address = address; }
    public string Name { get; }
    public uint Address { get; }
    public uint Stride { get; set; }
    /// <summary>Architectural maximum number of instances (arrays); 1 for scalars.</summary>
    public int MaxInstances { get; set; } = 1;
    /// <summary>Capability expression giving the number of instances a vCPU has (arrays).</summary>
    public string Count { get; set; } = "";
    public MsrAccess Access { get; set; }
    public MsrAccess HostAccess { get; set; }
    public MsrSideEffects SideEffects { get; set; }
    public MsrVendor Vendor { get; set; }
    public MsrProfile Profile { get; set; } = MsrProfile.All;
    /// <summary>Bits reserved whatever the capabilities.</summary>
    public ulong StaticReserved { get; set; }
    /// <summary>Capability expression that must hold for the register to exist ("" = always).</summary>
    public string Gate { get; set; } = "";
    /// <summary>True when the register belongs to the host's PMU (what a guest-loaded region must not touch).</summary>
    public bool HostPmu { get; set; }
    /// <summary>Other names (the kernel's msr-index.h names), space-separated: NAME, NAME{n} (every instance) or NAME@k (instance k).</summary>
    public string Aliases { get; set; } = "";
}

/// <summary>
/// Bits that exist only under a capability condition; reserved when <see cref="Condition"/> is false.
/// Several may sit on one register type. <c>n</c> in a condition is the register's array index.
/// </summary>
[AttributeUsage(AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class MsrConditionalBitsAttribute : Attribute
{
    public MsrConditionalBitsAttribute(ulong mask, string condition) { Mask = mask; Condition = condition; }
    public ulong Mask { get; }
    public string Condition { get; }
    /// <summary>For field arrays: the element stride in bits; element k occupies Mask &lt;&lt; (k * Stride).</summary>
    public int ElementStride { get; set; }
    public int ElementCount { get; set; }
    /// <summary>Capability expression for the number of elements that exist ("" = all).</summary>
    public string ElementBound { get; set; } = "";
}

/// <summary>
/// Bits whose upper part is reserved by a width capability: bits at and above
/// <c>Lsb + value(WidthExpression)</c> inside <see cref="Mask"/> are reserved.
/// </summary>
[AttributeUsage(AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class MsrVariableWidthAttribute : Attribute
{
    public MsrVariableWidthAttribute(ulong mask, int lsb, string widthExpression) { Mask = mask; Lsb = lsb; WidthExpression = widthExpression; }
    public ulong Mask { get; }
    public int Lsb { get; }
    public string WidthExpression { get; }
}

/// <summary>Marks a generated field accessor or <c>With…</c> setter.</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Property, Inherited = false)]
public sealed class MsrFieldAttribute : Attribute
{
    public MsrFieldAttribute(string name, int lsb, int width) { Name = name; Lsb = lsb; Width = width; }
    public string Name { get; }
    public int Lsb { get; }
    public int Width { get; }
    public MsrAccess Access { get; set; }
    /// <summary>For field arrays: distance in bits between elements.</summary>
    public int ElementStride { get; set; }
    /// <summary>For field arrays: architectural number of elements.</summary>
    public int ElementCount { get; set; }
}

/// <summary>Marks the unchecked raw access path (an analyzer reports every use).</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class MsrRawAccessAttribute : Attribute
{
}

/// <summary>
/// States the PMU capabilities code runs under, so analyzers can judge constant values against
/// the reserved bits of that vCPU. Either a preset name or explicit counts.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Assembly, Inherited = false)]
public sealed class AssumePmuCapsAttribute : Attribute
{
    public CpuVendor Vendor { get; set; }
    public int Version { get; set; } = 2;
    public int GpCounters { get; set; } = 4;
    public int FixedCounters { get; set; } = 3;
    public int GpWidth { get; set; } = 48;
    public int FixedWidth { get; set; } = 48;
    public ulong PerfCapabilities { get; set; }
    public int LbrDepth { get; set; }
    public PmuFeatures Features { get; set; }
}

/// <summary>A method that runs while the guest's PMU state is loaded on the CPU (no host PMU access allowed).</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class GuestPmuContextAttribute : Attribute
{
}

/// <summary>Marks the method that loads the guest PMU state (a region with guest state starts after it).</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class LoadsGuestPmuStateAttribute : Attribute
{
}

/// <summary>Marks the method that puts the guest PMU state (the guest-state region ends at it).</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class PutsGuestPmuStateAttribute : Attribute
{
}
