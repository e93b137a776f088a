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

        w.Doc("Bits a vCPU with these capabilities must not set (instance n of an array register).");
        if (!conditional)
        {
            w.Line("public static ulong ReservedMask(" + Caps + " caps, int n = 0) => StaticReservedBits;");
        }
        else
        {
            w.Open("public static ulong ReservedMask(" + Caps + " caps, int n = 0)");
            ulong never = reg.Fields.Where(f => f.Condition == "false").Aggregate(0UL, (m, f) => m | f.Mask);
            w.Line(never == 0 ? "ulong reserved = StaticReservedBits;"
                              : "ulong reserved = StaticReservedBits | " + Hex(never) + "; // fields no vCPU is given ('when false')");
            foreach (var field in reg.Fields)
            {
                if (field.Condition.Length > 0 && field.Condition != "false")
                {
                    w.Open("if (!(" + Expression(field.Condition) + "))");
                    w.Line("reserved |= " + Hex(field.Mask) + ";");
                    w.Close();
                }

                if (field.WidthExpression.Length > 0)
                {
                    w.Line("reserved |= " + Hex(field.Mask) + " & ~" + Core + "Bits.LowOnes(" + Int(field.Lsb) + " + " + Expression(field.WidthExpression) + ");");
                }
            }

            foreach (var array in reg.FieldArrays)
            {
                string count = array.Count.Length > 0 ? Expression(array.Count) : Int(array.Max);
                string on = array.Condition.Length > 0 ? Expression(array.Condition) : "true";
                w.Open("");
                w.Line("int count = " + count + ";");
                w.Line("bool present = " + on + ";");
                w.Open("for (int k = 0; k < " + Int(array.Max) + "; k++)");
                w.Line("int shift = " + Int(array.BaseLsb) + " + k * " + Int(array.Stride) + ";");
                w.Open("if (!present || k >= count)");
                w.Line("reserved |= " + Hex(array.ElementFieldMask) + " << shift;");
                w.Line("continue;");
                w.Close();
                foreach (var field in array.Fields.Where(f => f.Condition.Length > 0))
                {
                    w.Open("if (!(" + Expression(field.Condition) + "))");
                    w.Line("reserved |= " + Hex(field.Mask) + " << shift;");
                    w.Close();
                }

                w.Close();
                w.Close();
            }

            w.Line("return reserved;");
            w.Close();
        }

        w.Line();
        w.Doc("Which bits of a value break the reserved-bit rules for these capabilities.");
        w.Line("public static " + Core + "ReservedBitViolation CheckReserved(ulong value, " + Caps + " caps, int n = 0) =>");
        w.Line("    new(InstanceName(n), value, ReservedMask(caps, n));");
        w.Line();

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

        w.Doc("Whether instance n exists on a vCPU with these capabilities.");
        w.Line("public static bool Exists(" + Caps + " caps, int n = 0) => " + exists + ";");
        w.Line();

        var resetArrays = reg.FieldArrays.Where(a => a.ElementReset != 0).ToList();
        w.Doc("The value after reset on a vCPU with these capabilities.");
        if (resetArrays.Count == 0)
        {
            w.Line("public static " + t + " Reset(" + Caps + " caps) => new(ResetBits);");
        }
        else
        {
            w.Open("public static " + t + " Reset(" + Caps + " caps)");
            w.Line("ulong value = ResetBits;");
            foreach (var array in resetArrays)
            {
                string count = array.Count.Length > 0 ? Expression(array.Count) : Int(array.Max);
                w.Open("for (int k = 0; k < " + Int(array.Max) + " && k < " + count + "; k++)");
                w.Line("value |= (" + Hex(array.ElementReset) + " & " + Hex(array.ElementFieldMask) + ") << (" + Int(array.BaseLsb) + " + k * " + Int(array.Stride) + ");");
                w.Close();
            }

            w.Line("return new(value);");
            w.Close();
        }

        w.Line();
        EmitInterceptPolicy(w, reg);
        EmitDescriptor(w, reg);
    }

    private static void EmitInterceptPolicy(SourceWriter w, RegisterModel reg)
    {
        w.Doc("Which guest accesses of instance n exit under a vPMU mode (first matching rule of the definition; unlisted: all exit).");
        w.Open("public static " + Core + "MsrIntercept InterceptPolicy(" + Core + "VpmuMode mode, " + Caps + " caps, " + Caps + " host, int n = 0)");
        foreach (var mode in new[] { ModeKind.Emulated, ModeKind.Mediated })
        {
            var rules = reg.Intercepts.Where(r => r.Mode == mode).ToList();
            if (rules.Count == 0)
            {
                continue;
            }

            w.Open("if (mode == " + Core + "VpmuMode." + mode + ")");
            foreach (var rule in rules)
            {
                if (rule.Condition.Length == 0)
                {
                    w.Line("return " + Intercept(rule.Policy) + ";");
                    break;
                }

                w.Open("if (" + Expression(rule.Condition) + ")");
                w.Line("return " + Intercept(rule.Policy) + ";");
                w.Close();
            }

            w.Close();
        }

        w.Line("return " + Intercept(3) + ";");
        w.Close();
        w.Line();
    }

    private static void EmitDescriptor(SourceWriter w, RegisterModel reg)
    {
        w.Doc("The register as the catalog describes it.");
        w.Line("public static " + Core + "MsrDescriptor Descriptor { get; } = new(");
        w.Line("    " + SourceWriter.Literal(reg.Name) + ", " + Hex32(reg.Address) + ", " + Hex32(reg.Stride) + ", " + Int(reg.Max) + ", " + SourceWriter.Literal(reg.Count) + ",");
        w.Line("    " + Access(reg.Access) + ", " + Access(reg.HostAccess) + ", " + Effects(reg.Effects) + ",");
        w.Line("    " + Vendor(reg.Vendor) + ", " + Profile(reg.Profile) + ", " + SourceWriter.Literal(GateExpression(reg)) + ", " + (reg.ReservedWritesFault ? "true" : "false") + ", " + Hex(reg.Reset) + ",");
        w.Line("    " + SourceWriter.Literal(reg.Source) + ", " + SourceWriter.Literal(reg.Description) + ",");
        w.Line("    new " + Core + "MsrFieldDescriptor[]");
        w.Line("    {");
        foreach (var field in reg.Fields)
        {
            w.Line("        new(" + SourceWriter.Literal(field.Name) + ", " + Int(field.Lsb) + ", " + Int(field.Width) + ", " + Access(field.Access) + ", " +
                   Effects(field.Effects) + ", " + SourceWriter.Literal(field.Condition) + ", 0, 0, \"\", " + SourceWriter.Literal(field.Description) + "),");
        }

        foreach (var array in reg.FieldArrays)
        {
            string prefix = array.Name.Replace("{n}", "");
            foreach (var field in array.Fields)
            {
                string name = array.Fields.Count == 1 ? array.Name : prefix + "{n}." + field.Name;
                w.Line("        new(" + SourceWriter.Literal(name) + ", " + Int(array.BaseLsb + field.Lsb) + ", " + Int(field.Width) + ", " + Access(field.Access) + ", " +
                       Effects(field.Effects) + ", " + SourceWriter.Literal(field.Condition.Length > 0 ? field.Condition : array.Condition) + ", " + Int(array.Stride) + ", " + Int(array.Max) + ", " +
                       SourceWriter.Literal(array.Count) + ", " + SourceWriter.Literal(field.Description.Length > 0 ? field.Description : array.Description) + "),");
            }
        }

        w.Line("    })" + (reg.Aliases.Count > 0 ? " { Aliases = new[] { " + string.Join(", ", reg.Aliases.Select(SourceWriter.Literal)) + " } }" : "") + ";");
        w.Line();
    }
}
