using System;

namespace MsrGen.Generator.Model;

// Pipeline models: strings, numbers, enums and EquatableArray only (no symbols, syntax or Location),
// so that unchanged definitions compare equal and the generator's steps stay cached.

internal enum AccessKind { ReadWrite = 0, ReadOnly = 1, WriteOnly = 2 }

[Flags]
internal enum EffectKinds { None = 0, WriteOneToClear = 1, WriteOneToSet = 2, ReadClears = 4, ReadsAsZero = 8 }

internal enum VendorKind { Intel = 0, Amd = 1, Kvm = 2, Synthetic = 3 }

[Flags]
internal enum ProfileKinds { Upstream = 1, PvLbr2018 = 2, All = 3 }

internal enum ModeKind { Emulated = 1, Mediated = 2 }

internal sealed record EnumValueModel(ulong Value, string Name, string Description);

/// <summary>A group field's own name in one element ('rename FIELD@k NAME'): perf_event.h's INTEL_FIXED_3_METRICS_CLEAR.</summary>
internal sealed record ElementNameModel(int Element, string Name);

/// <summary>A field; inside a field array, <see cref="Lsb"/> is relative to the element.</summary>
internal sealed record FieldModel(
    string Name,
    int Lsb,
    int Width,
    AccessKind Access,
    EffectKinds Effects,
    string Condition,
    string WidthExpression,
    EquatableArray<EnumValueModel> EnumValues,
    string Description)
{
    public bool IsEnum => EnumValues.Count > 0;

    /// <summary>Inside a group: elements in which this field's bits go by another name (the bits and their rules stay).</summary>
    public EquatableArray<ElementNameModel> ElementNames { get; init; }

    public ulong Mask => Width >= 64 ? ulong.MaxValue << Lsb : ((1UL << Width) - 1) << Lsb;
}

/// <summary>A field array: <see cref="Max"/> elements of <see cref="Stride"/> bits from <see cref="BaseLsb"/>.</summary>
internal sealed record FieldArrayModel(
    string Name,
    int BaseLsb,
    int Stride,
    int Max,
    string Count,
    string Condition,
    ulong ElementReset,
    EquatableArray<FieldModel> Fields,
    string Description)
{
    /// <summary>Bits of one element (relative) that hold fields.</summary>
    public ulong ElementFieldMask
    {
        get
        {
            ulong mask = 0;
            foreach (var f in Fields)
            {
                mask |= f.Mask;
            }

            return mask;
        }
    }

    public ulong FullMask
    {
        get
        {
            ulong mask = 0;
            ulong element = Stride >= 64 ? ulong.MaxValue : (1UL << Stride) - 1;
            for (int k = 0; k < Max; k++)
            {
                mask |= element << (BaseLsb + k * Stride);
            }

            return mask;
        }
    }
}

internal sealed record InterceptRule(ModeKind Mode, int Policy, string Condition);

internal sealed record RegisterModel(
    string Name,
    string TypeName,
    uint Address,
    uint Stride,
    int Max,
    string Count,
    AccessKind Access,
    AccessKind HostAccess,
    EffectKinds Effects,
    VendorKind Vendor,
    ProfileKinds Profile,
    string Gate,
    bool ReservedWritesFault,
    bool Switched,
    ulong Reset,
    ulong StaticReserved,
    string Source,
    string Description,
    EquatableArray<FieldModel> Fields,
    EquatableArray<FieldArrayModel> FieldArrays,
    EquatableArray<InterceptRule> Intercepts)
{
    public bool IsArray => Max > 1 || Name.Contains("{n}");

    /// <summary>Other names of the register ('alias' lines): NAME, NAME{n} (every instance) or NAME@k (instance k).</summary>
    public EquatableArray<string> Aliases { get; init; }

    /// <summary>The name the kernel's code uses ('kernel' line): NAME, NAME{n} or NAME+n; empty when none.</summary>
    public string KernelName { get; init; } = "";
}

/// <summary>Where something sits in a definition file (for diagnostics only).</summary>
internal sealed record SourcePosition(string Path, int Line, int Column, int Offset, int Length);

/// <summary>A diagnostic about a definition file, carried as data until it is reported.</summary>
internal sealed record DiagnosticInfo(string Id, string Message, SourcePosition Position);

/// <summary>What the cross-file catalog needs of one register: identity and address, never its fields.</summary>
internal sealed record CatalogEntry(
    string Name,
    string TypeName,
    uint Address,
    uint Stride,
    int Max,
    VendorKind Vendor,
    ProfileKinds Profile,
    SourcePosition Position)
{
    /// <summary>The register's 'alias' names, as in <see cref="RegisterModel.Aliases"/>.</summary>
    public EquatableArray<string> Aliases { get; init; }
}

/// <summary>One parsed definition file.</summary>
internal sealed record DefinitionFile(
    string Path,
    string HintName,
    EquatableArray<RegisterModel> Registers,
    EquatableArray<CatalogEntry> CatalogEntries,
    EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>The source output of one definition file.</summary>
internal sealed record RegisterFileModel(string HintName, string FilePath, string SourcePath, EquatableArray<RegisterModel> Registers);
