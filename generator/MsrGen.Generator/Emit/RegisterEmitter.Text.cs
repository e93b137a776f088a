using System.Linq;
using MsrGen.Generator.Model;
using static MsrGen.Generator.Emit.Naming;

namespace MsrGen.Generator.Emit;

internal static partial class RegisterEmitter
{
    private const string Invariant = "global::System.Globalization.CultureInfo.InvariantCulture";

    private static void EmitToString(SourceWriter w, RegisterModel reg)
    {
        w.Doc("The value decoded: set flags by name, non-zero fields as numbers, and any reserved bits that are set.");
        w.Open("public override string ToString()");
        w.Line("var sb = new global::System.Text.StringBuilder(RegisterName);");
        w.Line("sb.Append(\" = 0x\").Append(Value.ToString(\"X16\", " + Invariant + "));");
        // Low bits first, as the design's example reads: "EN_PMC=0b1111 EN_FIXED=0b111".
        var parts = reg.Fields.Select(f => (Lsb: f.Lsb, Field: (FieldModel?)f, Array: (FieldArrayModel?)null))
            .Concat(reg.FieldArrays.Select(a => (Lsb: a.BaseLsb, Field: (FieldModel?)null, Array: (FieldArrayModel?)a)))
            .OrderBy(p => p.Lsb);
        foreach (var part in parts)
        {
            if (part.Field is not null)
            {
                EmitFieldDecode(w, part.Field);
            }
            else
            {
                EmitArrayDecode(w, part.Array!);
            }
        }

        w.Line("ulong reserved = Value & StaticReservedBits;");
        w.Line("if (reserved != 0) sb.Append(\" reserved=0x\").Append(reserved.ToString(\"X\", " + Invariant + "));");
        w.Line("return sb.ToString();");
        w.Close();
        w.Line();
    }

    private static void EmitFieldDecode(SourceWriter w, FieldModel field)
    {
        string member = Member(field.Name);
        string type = ValueType(field);
        if (type == "bool")
        {
            w.Line("if (" + member + ") sb.Append(\" " + field.Name + "\");");
        }
        else if (field.IsEnum)
        {
            w.Line("sb.Append(\" " + field.Name + "=\").Append(" + member + " switch");
            w.Line("{");
            foreach (var value in field.EnumValues)
            {
                w.Line("    " + EnumTypeName(field) + "." + Member(value.Name) + " => \"" + value.Name + "\",");
            }

            w.Line("    _ => \"0x\" + ((ulong)" + member + ").ToString(\"X\", " + Invariant + "),");
            w.Line("});");
        }
        else
        {
            w.Line("if (" + member + " != 0) sb.Append(\" " + field.Name + "=0x\").Append(((ulong)" + member + ").ToString(\"X\", " + Invariant + "));");
        }
    }

    private static void EmitArrayDecode(SourceWriter w, FieldArrayModel array)
    {
        string prefix = array.Name.Replace("{n}", "");
        if (array.Fields.Count == 1 && array.Stride == 1)
        {
            string bits = Member(prefix) + "Bits";
            w.Line("if (" + bits + " != 0) sb.Append(\" " + prefix + "=0b\").Append(global::System.Convert.ToString((long)" + bits + ", 2));");
            return;
        }

        w.Open("for (int k = 0; k < " + Int(array.Max) + "; k++)");
        w.Line("var parts = new global::System.Collections.Generic.List<string>();");
        foreach (var field in array.Fields)
        {
            string member = array.Fields.Count == 1 ? Member(prefix) : Member(prefix + "_" + field.Name);
            if (ValueType(field) == "bool")
            {
                w.Line("if (" + member + "(k)) parts.Add(\"" + field.Name + "\");");
            }
            else
            {
                w.Line("if (" + member + "(k) != 0) parts.Add(\"" + field.Name + ":0x\" + ((ulong)" + member + "(k)).ToString(\"X\", " + Invariant + "));");
            }
        }

        w.Line("if (parts.Count > 0) sb.Append(\" " + prefix + "\").Append(k.ToString(" + Invariant + ")).Append('=').Append(string.Join(\"|\", parts));");
        w.Close();
    }

    private static void EmitEquality(SourceWriter w, RegisterModel reg)
    {
        string t = reg.TypeName;
        w.Line("public bool Equals(" + t + " other) => Value == other.Value;");
        w.Line();
        w.Line("public override bool Equals(object? obj) => obj is " + t + " other && Equals(other);");
        w.Line();
        w.Line("public override int GetHashCode() => Value.GetHashCode();");
        w.Line();
        w.Line("public static bool operator ==(" + t + " left, " + t + " right) => left.Value == right.Value;");
        w.Line();
        w.Line("public static bool operator !=(" + t + " left, " + t + " right) => left.Value != right.Value;");
    }
}
