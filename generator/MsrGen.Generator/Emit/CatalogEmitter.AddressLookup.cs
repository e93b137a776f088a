using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using MsrGen.Generator.Model;
using static MsrGen.Generator.Emit.Naming;

namespace MsrGen.Generator.Emit;

/// <summary>
/// Address → register as generated data: a switch picks the 32-address block, a static table (compiled into
/// the assembly's data, not built at start-up) gives id and index. A plain switch over every instance was
/// measured slower than a dictionary because its binary search mispredicts on mixed addresses.
/// </summary>
internal static partial class CatalogEmitter
{
    private const int BlockBits = 5;
    private const int BlockSize = 1 << BlockBits;
    private const uint ProfileDependent = 0xFFFFFFFFu;

    private static void EmitTryFind(SourceWriter w, List<CatalogEntry> entries)
    {
        var byAddress = new SortedDictionary<uint, List<(CatalogEntry Entry, int Index)>>();
        foreach (var e in entries)
        {
            for (int n = 0; n < e.Max; n++)
            {
                uint address = e.Address + (uint)n * e.Stride;
                if (!byAddress.TryGetValue(address, out var list))
                {
                    byAddress[address] = list = new List<(CatalogEntry, int)>();
                }

                list.Add((e, n));
            }
        }

        var ids = new Dictionary<string, int>(System.StringComparer.Ordinal);
        for (int i = 0; i < entries.Count; i++)
        {
            ids[entries[i].TypeName] = i + 1;
        }

        // An address answers from the table when one register of every profile sits there; otherwise the
        // profile decides, in a small switch.
        var table = new SortedDictionary<uint, uint>();
        var byProfile = new List<KeyValuePair<uint, List<(CatalogEntry Entry, int Index)>>>();
        foreach (var pair in byAddress)
        {
            if (pair.Value.Count == 1 && pair.Value[0].Entry.Profile == ProfileKinds.All)
            {
                table[pair.Key] = ((uint)ids[pair.Value[0].Entry.TypeName] << 16) | (uint)pair.Value[0].Index;
            }
            else
            {
                table[pair.Key] = ProfileDependent;
                byProfile.Add(pair);
            }
        }

        var blocks = table.Keys.Select(a => a >> BlockBits).Distinct().ToList();

        w.Doc("The register at an address in a profile (instances up to the architectural maximum; whether one exists for a vCPU is Exists()).");
        w.Open("public static bool TryFind(uint address, " + Core + "MsrProfile profile, out MsrRef register)");
        w.Line("int block = (address >> " + Int(BlockBits) + ") switch");
        w.Line("{");
        for (int i = 0; i < blocks.Count; i++)
        {
            w.Line("    " + Hex32(blocks[i]) + " => " + Int(i) + ",");
        }

        w.Line("    _ => -1,");
        w.Line("};");
        w.Line("uint entry = block < 0 ? 0u : AddressTable[(block << " + Int(BlockBits) + ") | (int)(address & " + Hex32(BlockSize - 1) + ")];");
        if (byProfile.Count > 0)
        {
            w.Open("if (entry == " + Hex32(ProfileDependent) + ")");
            w.Line("return TryFindByProfile(address, profile, out register);");
            w.Close();
            w.Line();
        }

        w.Line("register = new((MsrId)(entry >> 16), (int)(entry & 0xFFFFu));");
        w.Line("return entry != 0;");
        w.Close();
        w.Line();
        w.Line("public static bool TryFind(uint address, out MsrRef register) => TryFind(address, " + Core + "MsrProfile.Upstream, out register);");
        w.Line();
        EmitAddressTable(w, blocks, table);
        if (byProfile.Count > 0)
        {
            EmitProfileSwitch(w, byProfile);
        }
    }

    private static void EmitAddressTable(SourceWriter w, List<uint> blocks, SortedDictionary<uint, uint> table)
    {
        w.Doc("Per block of 32 addresses: (id << 16) | index, 0 for no register, 0xFFFFFFFF when the profile decides.");
        w.Line("private static global::System.ReadOnlySpan<uint> AddressTable => new uint[]");
        w.Line("{");
        foreach (uint block in blocks)
        {
            uint first = block << BlockBits;
            w.Line("    // " + Hex32(first) + " - " + Hex32(first + BlockSize - 1));
            var line = new StringBuilder("    ");
            for (uint k = 0; k < BlockSize; k++)
            {
                uint value = table.TryGetValue(first + k, out uint v) ? v : 0u;
                line.Append(value == 0 ? "0" : "0x" + value.ToString("X", CultureInfo.InvariantCulture) + "u").Append(',');
                if (k != BlockSize - 1)
                {
                    line.Append(' ');
                }
            }

            w.Line(line.ToString());
        }

        w.Line("};");
        w.Line();
    }

    private static void EmitProfileSwitch(SourceWriter w, List<KeyValuePair<uint, List<(CatalogEntry Entry, int Index)>>> byProfile)
    {
        w.Open("private static bool TryFindByProfile(uint address, " + Core + "MsrProfile profile, out MsrRef register)");
        w.Open("switch (address)");
        foreach (var pair in byProfile)
        {
            w.Line("case " + Hex32(pair.Key) + ":");
            bool unconditional = false;
            foreach (var (entry, index) in pair.Value)
            {
                string test = ProfileTest(entry.Profile);
                string assign = "register = new(MsrId." + entry.TypeName + ", " + Int(index) + "); return true;";
                if (test.Length == 0)
                {
                    w.Line("    " + assign);
                    unconditional = true;
                    break;
                }

                w.Line("    if (" + test + ") { " + assign + " }");
            }

            if (!unconditional)
            {
                w.Line("    break;");
            }
        }

        w.Close();
        w.Line("register = default;");
        w.Line("return false;");
        w.Close();
        w.Line();
    }
}
