using System.Linq;
using MsrGen.Generator.Model;
using static MsrGen.Generator.Emit.Naming;

namespace MsrGen.Generator.Emit;

internal static partial class RegisterEmitter
{
    private static string BitsDoc(int msb, int lsb) => msb == lsb ? "Bit " + Int(lsb) : "Bits " + Int(msb) + ":" + Int(lsb);

    private static string FieldAttribute(string name, int lsb, int width, AccessKind access, int stride = 0, int count = 0)
    {
        string extra = access != AccessKind.ReadWrite ? ", Access = " + Access(access) : "";
        if (stride > 0)
        {
            extra += ", ElementStride = " + Int(stride) + ", ElementCount = " + Int(count);
        }

        return "[" + Core + "MsrField(" + SourceWriter.Literal(name) + ", " + Int(lsb) + ", " + Int(width) + extra + ")]";
    }

    private static string EnumTypeName(FieldModel field) => Member(field.Name) + "Value";

    private static string ValueType(FieldModel field) =>
        field.Width == 1 && !field.IsEnum ? "bool" : field.IsEnum ? EnumTypeName(field) : IntegerType(field.Width);

    private static void FieldDoc(SourceWriter w, string bits, string name, string description, string condition, string suffix = "")
    {
        string text = bits + " — " + name + (description.Length > 0 ? ": " + description : ".") + suffix;
        if (condition.Length > 0)
        {
            text += " Exists only when '" + condition + "' (reserved otherwise).";
        }

        w.Doc(text);
    }

    private static void EmitField(SourceWriter w, RegisterModel reg, FieldModel field)
    {
        string t = reg.TypeName;
        string member = Member(field.Name);
        string type = ValueType(field);
        int msb = field.Lsb + field.Width - 1;
        string mask = Hex(field.Width >= 64 ? ulong.MaxValue : (1UL << field.Width) - 1);

        if (field.IsEnum)
        {
            w.Doc("Encodings of " + field.Name + ".");
            w.Open("public enum " + EnumTypeName(field) + " : " + IntegerType(field.Width));
            foreach (var value in field.EnumValues)
            {
                if (value.Description.Length > 0)
                {
                    w.Doc(value.Description);
                }

                w.Line(Member(value.Name) + " = " + value.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) + ",");
            }

            w.Close();
        }

        string suffix = field.WidthExpression.Length > 0 ? " Bits at and above '" + field.WidthExpression + "' are reserved." : "";
        // One doc line, then the getter and the With… copy-setter (bits beyond the field's width are dropped), each with its metadata.
        FieldDoc(w, BitsDoc(msb, field.Lsb), field.Name, field.Description, field.Condition, suffix);
        string attribute = FieldAttribute(field.Name, field.Lsb, field.Width, field.Access) + " ";
        if (type == "bool")
        {
            w.Line(attribute + "public bool " + member + " => (Value & (1UL << " + Int(field.Lsb) + ")) != 0;");
        }
        else
        {
            w.Line(attribute + "public " + type + " " + member + " => (" + type + ")((Value >> " + Int(field.Lsb) + ") & " + mask + ");");
        }

        if (type == "bool")
        {
            w.Line(attribute + "public " + t + " With" + member + "(bool value) => new(" + Core + "Bits.SetBit(Value, " + Int(field.Lsb) + ", value));");
        }
        else
        {
            // Masks folded here rather than left to the JIT; the value is masked only when its type is wider than the field.
            ulong fieldMask = (field.Width >= 64 ? ulong.MaxValue : (1UL << field.Width) - 1) << field.Lsb;
            string shifted = field.Lsb == 0 ? "(ulong)value" : "((ulong)value << " + Int(field.Lsb) + ")";
            string placed = field.Width == TypeBits(field.Width) ? shifted : "(" + shifted + " & " + Hex(fieldMask) + ")";
            string kept = field.Width >= 64 ? "" : "(Value & " + Hex(~fieldMask) + ") | ";
            w.Line(attribute + "public " + t + " With" + member + "(" + type + " value) => new(" + kept + placed + ");");
        }
    }

    private static void EmitFieldArray(SourceWriter w, RegisterModel reg, FieldArrayModel array)
    {
        string t = reg.TypeName;
        string prefix = array.Name.Replace("{n}", "");
        string count = array.Count.Length > 0 ? " ('" + array.Count + "' exist on a vCPU)" : "";
        bool single = array.Fields.Count == 1;
        foreach (var field in array.Fields)
        {
            string member = single ? Member(prefix) : Member(prefix + "_" + field.Name);
            string type = ValueType(field);
            string element = "n, " + Int(array.Max) + ", " + Int(array.BaseLsb + field.Lsb) + ", " + Int(array.Stride);
            int firstMsb = array.BaseLsb + field.Lsb + field.Width - 1;
            string label = single ? array.Name : prefix + "{n}." + field.Name;
            string where = BitsDoc(firstMsb, array.BaseLsb + field.Lsb) + " + " + Int(array.Stride) + "·n, n < " + Int(array.Max);
            string condition = field.Condition.Length > 0 ? field.Condition : array.Condition;
            string description = field.Description.Length > 0 ? field.Description : array.Description;
            if (field.ElementNames.Count > 0)
            {
                description += " (" + string.Join(", ", field.ElementNames.Select(e => "element " + Int(e.Element) + ": " + e.Name)) + ")";
            }
            FieldDoc(w, where, label, description, condition, count.Length > 0 ? " Elements" + count + "." : "");
            string attribute = FieldAttribute(label, array.BaseLsb + field.Lsb, field.Width, field.Access, array.Stride, array.Max) + " ";
            // The Bits element helpers check the index (out of range: read 0/false, change nothing) and inline;
            // With…(n, value) beyond the architectural maximum changes nothing.
            if (type == "bool")
            {
                w.Line(attribute + "public bool " + member + "(int n) => " + Core + "Bits.TestElement(Value, " + element + ");");
            }
            else
            {
                w.Line(attribute + "public " + type + " " + member + "(int n) => (" + type + ")" + Core + "Bits.GetElement(Value, " + element + ", " + Int(field.Width) + ");");
            }

            string set = type == "bool"
                ? Core + "Bits.SetElementBit(Value, " + element + ", value)"
                : Core + "Bits.SetElement(Value, " + element + ", " + Int(field.Width) + ", (ulong)value)";
            w.Line(attribute + "public " + t + " With" + member + "(int n, " + type + " value) => new(" + set + ");");
        }

        if (single && array.Stride == 1)
        {
            // All elements packed: bit k is element k.
            w.Line("public ulong " + Member(prefix) + "Bits => (Value >> " + Int(array.BaseLsb) + ") & " + Hex(array.Max >= 64 ? ulong.MaxValue : (1UL << array.Max) - 1) + ";");
        }
    }
}
