using System;

namespace MsrGen.Registers;

/// <summary>One field (or one field of a field array) as the catalog describes it.</summary>
public sealed record MsrFieldDescriptor(
    string Name,
    int Lsb,
    int Width,
    MsrAccess Access,
    MsrSideEffects SideEffects,
    string Condition,
    int ArrayStride,
    int ArrayMax,
    string ArrayCount,
    string Description)
{
    public bool IsArray => ArrayMax > 0;

    /// <summary>An enum field's encodings and their names (empty for other fields).</summary>
    public (ulong Value, string Name)[] Values { get; init; } = [];

    /// <summary>
    /// In a field array: elements whose bits go by another name (perf_event.h's INTEL_FIXED_3_METRICS_CLEAR
    /// for bit 2 of fixed counter 3's control). Only the name differs; bits and conditions are the field's.
    /// </summary>
    public (int Element, string Name)[] ElementNames { get; init; } = [];

    /// <summary>
    /// The field's name within element <paramref name="element"/>: its rename there, else the part after
    /// "{n}." (PMI for FIXED{n}.PMI), else the name without "{n}" (EN_PMC for EN_PMC{n}).
    /// </summary>
    public string NameInElement(int element)
    {
        foreach (var (index, name) in ElementNames)
        {
            if (index == element)
            {
                return name;
            }
        }

        int dot = Name.IndexOf("{n}.", StringComparison.Ordinal);
        return dot >= 0 ? Name[(dot + 4)..] : Name.Replace("{n}", "", StringComparison.Ordinal);
    }
}

/// <summary>A register as the generated catalog describes it: everything but the per-caps masks.</summary>
public sealed record MsrDescriptor(
    string Name,
    uint BaseAddress,
    uint Stride,
    int MaxInstances,
    string Count,
    MsrAccess Access,
    MsrAccess HostAccess,
    MsrSideEffects SideEffects,
    MsrVendor Vendor,
    MsrProfile Profile,
    string Gate,
    bool ReservedWritesFault,
    ulong ResetValue,
    string Source,
    string Description,
    MsrFieldDescriptor[] Fields)
{
    public bool IsArray => MaxInstances > 1 || Name.Contains("{n}", StringComparison.Ordinal);

    /// <summary>The name of instance <paramref name="index"/> (IA32_PMC3); the plain name for scalars.</summary>
    public string InstanceName(int index) =>
        IsArray ? Name.Replace("{n}", index.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal) : Name;

    public uint AddressOf(int index) => BaseAddress + (uint)index * Stride;

    /// <summary>Other names (the kernel's msr-index.h names): NAME, NAME{n} (every instance) or NAME@k (instance k).</summary>
    public string[] Aliases { get; init; } = [];

    /// <summary>
    /// The name the kernel's code uses (the definition's 'kernel' line): NAME, NAME{n} (numbered
    /// instances) or NAME+n (the kernel names instance 0 and adds the index); empty when the kernel's
    /// headers do not name the register.
    /// </summary>
    public string KernelName { get; init; } = "";

    /// <summary>
    /// The kernel's name for instance <paramref name="index"/> (MSR_ARCH_PERFMON_EVENTSEL0+3,
    /// MSR_F15H_PERF_CTL3, MSR_CORE_PERF_GLOBAL_CTRL), or null when the register has none.
    /// </summary>
    public string? KernelNameOf(int index)
    {
        if (KernelName.Length == 0)
        {
            return null;
        }

        string number = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (KernelName.EndsWith("+n", StringComparison.Ordinal))
        {
            string first = KernelName[..^2];
            return index == 0 ? first : first + "+" + number;
        }

        return KernelName.Replace("{n}", number, StringComparison.Ordinal);
    }

    /// <summary>Bits reserved whatever the capabilities.</summary>
    public ulong StaticReserved { get; init; }

    /// <summary>Indices into <see cref="Fields"/>, lowest bit first (the order a decoded value lists them in).</summary>
    public int[] FieldsByLsb { get; } = SortByLsb(Fields);

    private static int[] SortByLsb(MsrFieldDescriptor[] fields)
    {
        var order = new int[fields.Length];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        // Stable: fields never share a lowest bit, but keep declaration order if a definition ever does.
        return System.Linq.Enumerable.ToArray(System.Linq.Enumerable.OrderBy(order, i => fields[i].Lsb));
    }

    /// <summary>The aliases that name instance <paramref name="index"/> (MSR_ARCH_PERFMON_PERFCTR1 for IA32_PMC1).</summary>
    public string[] AliasesOf(int index)
    {
        var names = new System.Collections.Generic.List<string>();
        string number = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (string alias in Aliases)
        {
            int at = alias.IndexOf('@', StringComparison.Ordinal);
            if (at < 0)
            {
                names.Add(alias.Replace("{n}", number, StringComparison.Ordinal));
            }
            else if (alias.AsSpan(at + 1).SequenceEqual(number))
            {
                names.Add(alias[..at]);
            }
        }

        return names.ToArray();
    }
}
