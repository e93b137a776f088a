using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace MsrGen.Runtime.Reporting;

/// <summary>A plain aligned text table (first two columns left-aligned, the rest right-aligned).</summary>
public static class TextTable
{
    public static void Write(TextWriter writer, IReadOnlyList<string> header, IReadOnlyList<string[]> rows, int leftAligned = 2)
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => i < r.Length ? r[i].Length : 0))).ToArray();
        writer.WriteLine(Line(header.ToArray(), widths, leftAligned));
        writer.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in rows)
        {
            writer.WriteLine(Line(row, widths, leftAligned));
        }
    }

    private static string Line(string[] cells, int[] widths, int leftAligned) =>
        string.Join("  ", widths.Select((w, i) =>
        {
            string cell = i < cells.Length ? cells[i] : "";
            return i < leftAligned ? cell.PadRight(w) : cell.PadLeft(w);
        })).TrimEnd();
}
