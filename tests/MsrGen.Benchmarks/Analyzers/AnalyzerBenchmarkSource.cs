using System.Globalization;
using System.Text;

namespace MsrGen.Benchmarks.Analyzers;

/// <summary>
/// A large generated driver file: <see cref="MethodCount"/> methods of <see cref="AccessesPerMethod"/>
/// MSR accesses each (typed reads and writes with constant With-chains, guarded gated registers, array
/// indices, raw reads of named addresses), the kind of code the analyzers look at in a real project.
/// </summary>
internal static class AnalyzerBenchmarkSource
{
    public const int MethodCount = 300;
    public const int AccessesPerMethod = 8;

    public static string Build()
    {
        var sb = new StringBuilder();
        sb.AppendLine("using MsrGen.Registers;");
        sb.AppendLine("namespace Bench;");
        sb.AppendLine("[AssumePmuCaps(GpCounters = 8, FixedCounters = 4, Version = 5)]");
        sb.AppendLine("public sealed class Driver");
        sb.AppendLine("{");
        for (int m = 0; m < MethodCount; m++)
        {
            string i = (m % 8).ToString(CultureInfo.InvariantCulture);
            string f = (m % 4).ToString(CultureInfo.InvariantCulture);
            sb.Append("    public ulong Step").Append(m.ToString(CultureInfo.InvariantCulture)).AppendLine("(IMsrBus bus, PmuCaps caps)");
            sb.AppendLine("    {");
            sb.Append("        bus.Write(Ia32PerfGlobalCtrl.Zero.WithEnPmc(").Append(i).Append(", true).WithEnFixed(").Append(f).AppendLine(", true));");
            sb.Append("        bus.Write(Ia32FixedCtrCtrl.Zero.WithFixedOs(").Append(f).Append(", true).WithFixedUsr(").Append(f).AppendLine(", true));");
            sb.Append("        bus.Write(Ia32Pmc.FromRawUnchecked(0x1000UL), ").Append(i).AppendLine(");");
            sb.Append("        bus.Read(out Ia32Pmc pmc, ").Append(i).AppendLine(");");
            sb.AppendLine("        bus.Read(out Ia32PerfGlobalStatus status);");
            sb.AppendLine("        if (caps.FullWidthWrites) { bus.Write(Ia32APmc.FromRawUnchecked(pmc.Value), 0); }");
            sb.Append("        bus.ReadMsr(Ia32Perfevtsel.AddressOf(").Append(i).AppendLine("), out ulong evtsel);");
            sb.AppendLine("        bus.Write(Ia32PerfGlobalOvfCtrl.FromRawUnchecked(status.Value));");
            sb.AppendLine("        return pmc.Value + evtsel;");
            sb.AppendLine("    }");
        }

        sb.AppendLine("}");
        return sb.ToString();
    }
}
