using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace MsrGen.Registers;

/// <summary>
/// Everything that is the same for every register type, written once over its descriptor: a generated
/// type forwards to these (svd2rust's generic <c>Reg&lt;REG&gt;</c> in the same role), so it only states
/// its address, fields, reserved rules and metadata.
/// </summary>
public static class MsrRegisterOps<TSelf> where TSelf : struct, IMsrRegister<TSelf>
{
    /// <summary>Address of instance <paramref name="n"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint AddressOf(int n) => TSelf.BaseAddress + (uint)n * TSelf.AddressStride;

    /// <summary>The name of instance <paramref name="n"/> (IA32_PMC3); the plain name for scalars.</summary>
    public static string InstanceName(int n) => TSelf.Descriptor.InstanceName(n);

    /// <summary>Which bits of a value break the reserved-bit rules for these capabilities.</summary>
    public static ReservedBitViolation CheckReserved(ulong value, in PmuCaps caps, int n) =>
        new(InstanceName(n), value, TSelf.ReservedMask(caps, n));

    /// <summary>The value decoded under the register's name (what a generated type's ToString returns).</summary>
    public static string Format(ulong value) => MsrFormatter.Format(TSelf.Descriptor, TSelf.Descriptor.Name, value);
}

/// <summary>
/// Decodes a value from a register's descriptor: set flags by name, non-zero fields as numbers (enum
/// fields by their encoding's name), packed 1-bit field arrays as binary, other field arrays element by
/// element, and any bits reserved whatever the capabilities that are set. Fields appear low bits first:
/// <c>IA32_PERF_GLOBAL_CTRL = 0x000000070000000F EN_PMC=0b1111 EN_FIXED=0b111</c>.
/// </summary>
public static class MsrFormatter
{
    public static string Format(MsrDescriptor descriptor, string name, ulong value)
    {
        var sb = new StringBuilder(name);
        AppendFields(sb, descriptor, value);
        return sb.ToString();
    }

    /// <summary>Everything after the name: <c> = 0x… FIELD=…</c>.</summary>
    public static void AppendFields(StringBuilder sb, MsrDescriptor descriptor, ulong value)
    {
        sb.Append(" = 0x").Append(value.ToString("X16", CultureInfo.InvariantCulture));
        var fields = descriptor.Fields;
        var done = new bool[fields.Length];
        foreach (int i in descriptor.FieldsByLsb)
        {
            if (done[i])
            {
                continue;
            }

            var field = fields[i];
            if (!field.IsArray)
            {
                AppendField(sb, field, Bits.Get(value, field.Lsb, field.Width));
                continue;
            }

            // One field array: its fields share the name before "{n}" and the element stride.
            string prefix = Prefix(field.Name);
            var group = new System.Collections.Generic.List<MsrFieldDescriptor>();
            for (int j = 0; j < fields.Length; j++)
            {
                if (fields[j].IsArray && fields[j].ArrayStride == field.ArrayStride && Prefix(fields[j].Name) == prefix)
                {
                    group.Add(fields[j]);
                    done[j] = true;
                }
            }

            AppendArray(sb, prefix, group, value);
        }

        ulong reserved = value & descriptor.StaticReserved;
        if (reserved != 0)
        {
            sb.Append(" reserved=0x").Append(reserved.ToString("X", CultureInfo.InvariantCulture));
        }
    }

    /// <summary>The array's name without its index: EN_PMC for EN_PMC{n}, FIXED for FIXED{n}.PMI.</summary>
    private static string Prefix(string arrayFieldName)
    {
        int dot = arrayFieldName.IndexOf("{n}.", System.StringComparison.Ordinal);
        return dot >= 0 ? arrayFieldName.Substring(0, dot) : arrayFieldName.Replace("{n}", "", System.StringComparison.Ordinal);
    }

    private static void AppendField(StringBuilder sb, MsrFieldDescriptor field, ulong bits)
    {
        if (field.Values.Length > 0)
        {
            sb.Append(' ').Append(field.Name).Append('=');
            foreach (var (encoding, name) in field.Values)
            {
                if (encoding == bits)
                {
                    sb.Append(name);
                    return;
                }
            }

            sb.Append("0x").Append(bits.ToString("X", CultureInfo.InvariantCulture));
        }
        else if (field.Width == 1)
        {
            if (bits != 0)
            {
                sb.Append(' ').Append(field.Name);
            }
        }
        else if (bits != 0)
        {
            sb.Append(' ').Append(field.Name).Append("=0x").Append(bits.ToString("X", CultureInfo.InvariantCulture));
        }
    }

    private static void AppendArray(StringBuilder sb, string prefix, System.Collections.Generic.List<MsrFieldDescriptor> group, ulong value)
    {
        var first = group[0];
        if (group.Count == 1 && first.ArrayStride == 1 && first.Width == 1)
        {
            ulong packed = (value >> first.Lsb) & Bits.LowOnes(first.ArrayMax);
            if (packed != 0)
            {
                sb.Append(' ').Append(prefix).Append("=0b").Append(System.Convert.ToString((long)packed, 2));
            }

            return;
        }

        for (int k = 0; k < first.ArrayMax; k++)
        {
            int mark = sb.Length;
            bool any = false;
            foreach (var field in group)
            {
                int lsb = field.Lsb + k * field.ArrayStride;
                ulong bits = lsb < 64 ? Bits.Get(value, lsb, field.Width) : 0;
                if (bits == 0)
                {
                    continue;
                }

                sb.Append(any ? "|" : " " + prefix + k.ToString(CultureInfo.InvariantCulture) + "=");
                any = true;
                string label = field.NameInElement(k);
                sb.Append(label);
                if (field.Width > 1)
                {
                    sb.Append(":0x").Append(bits.ToString("X", CultureInfo.InvariantCulture));
                }
            }

            if (!any)
            {
                sb.Length = mark;
            }
        }
    }
}
