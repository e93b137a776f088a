using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using MsrGen.Generator.Model;
using static MsrGen.Generator.Emit.Naming;

namespace MsrGen.Generator.Emit;

/// <summary>
/// Address → register as generated data: a byte table (below 0x2000) or a switch (above) picks the 32-address
/// block, a static table (compiled into the assembly's data, not built at start-up) gives id and index. A plain switch over every instance was
/// measured slower than a dictionary because its binary search mispredicts on mixed addresses.
/// </summary>
internal static partial class CatalogEmitter
{
    private const int BlockBits = 5;
    private const int BlockSize = 1 << BlockBits;
    private const uint ProfileDependent = 0xFFFFFFFFu;
    private const uint LowLimit = 0x2000;

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

        // Blocks below LowLimit (where nearly every PMU MSR lives) are found through a byte table indexed by
        // address >> 5, with no search; the rest through a switch. The table stores the block number + 1 in a
        // byte, so it is used only while the low blocks fit.
        int lowCount = blocks.Count(b => b < LowLimit >> BlockBits);
        bool lowTable = lowCount > 0 && lowCount < 256;
        w.Doc("The register at an address in a profile (instances up to the architectural maximum; whether one exists for a vCPU is Exists()).");
        w.Open("public static bool TryFind(uint address, " + Core + "MsrProfile profile, out MsrRef register)");
        if (lowTable)
        {
            w.Line("int block;");
            w.Open("if (address < " + Hex32(LowLimit) + ")");
            // address < LowLimit keeps the index inside the 256-entry table, so the bounds check is skipped.
            w.Line("block = global::System.Runtime.CompilerServices.Unsafe.Add(ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(LowBlocks), (int)(address >> " + Int(BlockBits) + ")) - 1;");
            w.Close();
            w.Open("else");
        }

        w.Line((lowTable ? "" : "int ") + "block = (address >> " + Int(BlockBits) + ") switch");
        w.Line("{");
        for (int i = 0; i < blocks.Count; i++)
        {
            if (!lowTable || blocks[i] >= LowLimit >> BlockBits)
            {
                w.Line("    " + Hex32(blocks[i]) + " => " + Int(i) + ",");
            }
        }

        w.Line("    _ => -1,");
        w.Line("};");
        if (lowTable)
        {
            w.Close();
        }

        w.Line();
        // Every block number produced above has its entries in AddressTable, so the read needs no bounds check.
        w.Line("uint entry = block < 0 ? 0u : global::System.Runtime.CompilerServices.Unsafe.ReadUnaligned<uint>(ref global::System.Runtime.CompilerServices.Unsafe.Add(");
        w.Line("    ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(AddressTable), ((block << " + Int(BlockBits) + ") | (int)(address & " + Hex32(BlockSize - 1) + ")) * 4));");
        w.Open("if (!global::System.BitConverter.IsLittleEndian)");
        w.Line("entry = global::System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(entry);");
        w.Close();
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
        if (lowTable)
        {
            EmitLowBlocks(w, blocks);
        }

        EmitAddressTable(w, blocks, table);
        if (byProfile.Count > 0)
        {
            EmitProfileSwitch(w, byProfile);
        }
    }

    private static void EmitLowBlocks(SourceWriter w, List<uint> blocks)
    {
        w.Doc("Block number + 1 of each 32-address block below " + Hex32(LowLimit) + " (0: no register there).");
        w.Line("private static global::System.ReadOnlySpan<byte> LowBlocks => new byte[]");
        w.Line("{");
        const int PerLine = 32;
        for (uint first = 0; first < LowLimit >> BlockBits; first += PerLine)
        {
            w.Line("    // " + Hex32(first << BlockBits) + " - " + Hex32(((first + PerLine) << BlockBits) - 1));
            var line = new StringBuilder("    ");
            for (uint k = 0; k < PerLine; k++)
            {
                int index = blocks.IndexOf(first + k);
                line.Append(Int(index + 1)).Append(',');
                if (k != PerLine - 1)
                {
                    line.Append(' ');
                }
            }

            w.Line(line.ToString());
        }

        w.Line("};");
        w.Line();
    }

    /// <summary>
    /// The entries as little-endian bytes: a byte table is a span over the assembly's data in every build
    /// (a uint table goes through RuntimeHelpers.CreateSpan, which allocates on each call in unoptimized code).
    /// </summary>
    private static void EmitAddressTable(SourceWriter w, List<uint> blocks, SortedDictionary<uint, uint> table)
    {
        w.Doc("Per block of 32 addresses, 4 little-endian bytes per address: (id << 16) | index, 0 for no register, 0xFFFFFFFF when the profile decides.");
        w.Line("private static global::System.ReadOnlySpan<byte> AddressTable => new byte[]");
        w.Line("{");
        const int PerLine = 8;
        foreach (uint block in blocks)
        {
            uint first = block << BlockBits;
            w.Line("    // " + Hex32(first) + " - " + Hex32(first + BlockSize - 1));
            for (uint row = 0; row < BlockSize; row += PerLine)
            {
                var line = new StringBuilder("    ");
                for (uint k = row; k < row + PerLine; k++)
                {
                    uint value = table.TryGetValue(first + k, out uint v) ? v : 0u;
                    for (int b = 0; b < 4; b++)
                    {
                        uint part = (value >> (8 * b)) & 0xFF;
                        line.Append(part == 0 ? "0" : "0x" + part.ToString("X2", CultureInfo.InvariantCulture)).Append(',');
                        if (k != row + PerLine - 1 || b != 3)
                        {
                            line.Append(b == 3 ? "  " : " ");
                        }
                    }
                }

                w.Line(line.ToString());
            }
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
