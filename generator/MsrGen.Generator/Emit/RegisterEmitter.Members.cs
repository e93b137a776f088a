using System.Linq;
using MsrGen.Generator.Model;
using static MsrGen.Generator.Emit.Naming;

namespace MsrGen.Generator.Emit;

internal static partial class RegisterEmitter
{
    private const string Caps = "in " + Core + "PmuCaps";

    private static void EmitStaticMembers(SourceWriter w, RegisterModel reg)
    {
        string t = reg.TypeName;
        bool conditional = reg.Fields.Any(f => f.Condition.Length > 0 || f.WidthExpression.Length > 0) || reg.FieldArrays.Count > 0;
        if (!conditional)
        {
            w.Line("public static ulong ReservedMask(" + Caps + " caps, int n = 0) => StaticReservedBits;");
        }
        else
        {
            // The reserved rules, one line each: a conditional field, a variable width, an array's absent elements.
            w.Open("public static ulong ReservedMask(" + Caps + " caps, int n = 0)");
            ulong never = reg.Fields.Where(f => f.Condition == "false").Aggregate(0UL, (m, f) => m | f.Mask);
            w.Line(never == 0 ? "ulong reserved = StaticReservedBits;"
                              : "ulong reserved = StaticReservedBits | " + Hex(never) + "; // fields no vCPU is given ('when false')");
            foreach (var field in reg.Fields)
            {
                if (field.Condition.Length > 0 && field.Condition != "false")
                {
                    w.Line("if (!(" + Expression(field.Condition) + ")) reserved |= " + Hex(field.Mask) + ";");
                }

                if (field.WidthExpression.Length > 0)
                {
                    w.Line("reserved |= " + Hex(field.Mask) + " & ~" + Core + "Bits.LowOnes(" + Int(field.Lsb) + " + " + Expression(field.WidthExpression) + ");");
                }
            }

            int k = 0;
            foreach (var array in reg.FieldArrays)
            {
                string count = array.Count.Length > 0 ? Expression(array.Count) : Int(array.Max);
                string present = array.Condition.Length > 0 ? "(" + Expression(array.Condition) + ") ? " + count + " : 0" : count;
                string c = "c" + Int(k++);
                string at = Int(array.BaseLsb) + ", " + Int(array.Stride);
                w.Line("int " + c + " = global::System.Math.Clamp(" + present + ", 0, " + Int(array.Max) + ");");
                w.Line("reserved |= " + Core + "Bits.Repeat(" + Hex(array.ElementFieldMask) + ", " + at + ", " + c + ", " + Int(array.Max) + ");");
                foreach (var field in array.Fields.Where(f => f.Condition.Length > 0))
                {
                    w.Line("if (!(" + Expression(field.Condition) + ")) reserved |= " + Core + "Bits.Repeat(" + Hex(field.Mask) + ", " + at + ", 0, " + c + ");");
                }
            }

            w.Line("return reserved;");
            w.Close();
        }

        string gate = GateExpression(reg);
        string exists = gate.Length > 0 ? Expression(gate) : "true";
        if (reg.IsArray)
        {
            string bound = reg.Count.Length > 0 ? " && n < " + Expression(reg.Count) : "";
            exists = "(uint)n < (uint)Maximum" + bound + (gate.Length > 0 ? " && " + exists : "");
        }
        else
        {
            exists = "n == 0" + (gate.Length > 0 ? " && " + exists : "");
        }

        w.Line("public static bool Exists(" + Caps + " caps, int n = 0) => " + exists + ";");
        var resetArrays = reg.FieldArrays.Where(a => a.ElementReset != 0).ToList();
        string reset = "ResetBits";
        foreach (var array in resetArrays)
        {
            string count = array.Count.Length > 0 ? "global::System.Math.Clamp(" + Expression(array.Count) + ", 0, " + Int(array.Max) + ")" : Int(array.Max);
            reset += " | " + Core + "Bits.Repeat(" + Hex(array.ElementReset & array.ElementFieldMask) + ", " + Int(array.BaseLsb) + ", " + Int(array.Stride) + ", 0, " + count + ")";
        }

        w.Line("public static " + t + " Reset(" + Caps + " caps) => new(" + reset + ");");
        EmitInterceptPolicy(w, reg);
        EmitDescriptor(w, reg);
    }

    /// <summary>First matching rule of the definition per mode, as one expression; unlisted: every access exits.</summary>
    private static void EmitInterceptPolicy(SourceWriter w, RegisterModel reg)
    {
        string Rules(ModeKind mode)
        {
            string result = Intercept(3);
            foreach (var rule in reg.Intercepts.Where(r => r.Mode == mode).Reverse())
            {
                result = rule.Condition.Length == 0 ? Intercept(rule.Policy) : "(" + Expression(rule.Condition) + ") ? " + Intercept(rule.Policy) + " : " + result;
            }

            return result;
        }

        string signature = "public static " + Core + "MsrIntercept InterceptPolicy(" + Core + "VpmuMode mode, " + Caps + " caps, " + Caps + " host, int n = 0) => ";
        if (reg.Intercepts.Count == 0)
        {
            w.Line(signature + Intercept(3) + ";");
            return;
        }

        w.Line(signature + "mode switch");
        w.Line("{");
        foreach (var mode in new[] { ModeKind.Emulated, ModeKind.Mediated })
        {
            if (reg.Intercepts.Any(r => r.Mode == mode))
            {
                w.Line("    " + Core + "VpmuMode." + mode + " => " + Rules(mode) + ",");
            }
        }

        w.Line("    _ => " + Intercept(3) + ",");
        w.Line("};");
    }

    private static void EmitDescriptor(SourceWriter w, RegisterModel reg)
    {
        w.Line("public static " + Core + "MsrDescriptor Descriptor { get; } = new(" + SourceWriter.Literal(reg.Name) + ", " + Hex32(reg.Address) + ", " + Hex32(reg.Stride) + ", " + Int(reg.Max) + ", " +
               SourceWriter.Literal(reg.Count) + ", " + Access(reg.Access) + ", " + Access(reg.HostAccess) + ", " + Effects(reg.Effects) + ", " + Vendor(reg.Vendor) + ", " + Profile(reg.Profile) + ", " +
               SourceWriter.Literal(GateExpression(reg)) + ", " + (reg.ReservedWritesFault ? "true" : "false") + ", ResetBits, " + SourceWriter.Literal(reg.Source) + ", " + SourceWriter.Literal(reg.Description) + ", new " + Core + "MsrFieldDescriptor[]");
        w.Line("{");
        foreach (var field in reg.Fields)
        {
            string values = field.IsEnum
                ? " { Values = new (ulong, string)[] { " + string.Join(", ", field.EnumValues.Select(v => "(" + Hex(v.Value) + ", " + SourceWriter.Literal(v.Name) + ")")) + " } }"
                : "";
            w.Line("    new(" + SourceWriter.Literal(field.Name) + ", " + Int(field.Lsb) + ", " + Int(field.Width) + ", " + Access(field.Access) + ", " +
                   Effects(field.Effects) + ", " + SourceWriter.Literal(field.Condition) + ", 0, 0, \"\", " + SourceWriter.Literal(field.Description) + ")" + values + ",");
        }

        foreach (var array in reg.FieldArrays)
        {
            string prefix = array.Name.Replace("{n}", "");
            foreach (var field in array.Fields)
            {
                string name = array.Fields.Count == 1 ? array.Name : prefix + "{n}." + field.Name;
                w.Line("    new(" + SourceWriter.Literal(name) + ", " + Int(array.BaseLsb + field.Lsb) + ", " + Int(field.Width) + ", " + Access(field.Access) + ", " +
                       Effects(field.Effects) + ", " + SourceWriter.Literal(field.Condition.Length > 0 ? field.Condition : array.Condition) + ", " + Int(array.Stride) + ", " + Int(array.Max) + ", " +
                       SourceWriter.Literal(array.Count) + ", " + SourceWriter.Literal(field.Description.Length > 0 ? field.Description : array.Description) + ")" + ElementNames(field) + ",");
            }
        }

        string aliases = reg.Aliases.Count > 0 ? ", Aliases = new[] { " + string.Join(", ", reg.Aliases.Select(SourceWriter.Literal)) + " }" : "";
        string kernel = reg.KernelName.Length > 0 ? ", KernelName = " + SourceWriter.Literal(reg.KernelName) : "";
        w.Line("}) { StaticReserved = StaticReservedBits" + aliases + kernel + " };");
    }

    /// <summary>A group field's per-element names ('rename FIELD@k NAME') as the descriptor's initializer.</summary>
    private static string ElementNames(FieldModel field) =>
        field.ElementNames.Count == 0
            ? ""
            : " { ElementNames = new (int, string)[] { " + string.Join(", ", field.ElementNames.Select(e => "(" + Int(e.Element) + ", " + SourceWriter.Literal(e.Name) + ")")) + " } }";
}
