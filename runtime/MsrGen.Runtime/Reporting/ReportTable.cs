using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace MsrGen.Runtime.Reporting;

/// <summary>How a column's values are written: every report uses these few formats and nothing else.</summary>
public enum ColumnFormat
{
    /// <summary>Free text, left-aligned.</summary>
    Text,

    /// <summary>A whole number with thousands separators (1,325).</summary>
    Integer,

    /// <summary>One decimal place (12.3), used for ratios and rates.</summary>
    Decimal,

    /// <summary>A percentage with one decimal place (33.6).</summary>
    Percent,

    /// <summary>yes / no.</summary>
    Flag,

    /// <summary>A ratio of two like quantities with two decimal places (1.02).</summary>
    Ratio,
}

/// <summary>A column: its name, its unit (empty for text and counts of things named by the column) and its format.</summary>
public sealed record ReportColumn(string Id, string Name, string Unit, ColumnFormat Format)
{
    /// <summary>The header a text table prints: the name with its unit in parentheses.</summary>
    public string Header => Unit.Length == 0 ? Name : $"{Name} ({Unit})";

    public bool Numeric => Format is ColumnFormat.Integer or ColumnFormat.Decimal or ColumnFormat.Percent or ColumnFormat.Ratio;
}

/// <summary>One cell: the value as data (a number, text or flag) and the way it prints.</summary>
public readonly record struct ReportCell(string? Text, double? Number, bool? Flag)
{
    public static ReportCell Of(string text) => new(text, null, null);

    public static ReportCell Of(double number) => new(null, number, null);

    public static ReportCell Of(bool flag) => new(null, null, flag);

    /// <summary>No value (for example operations per switch of a design that never switches).</summary>
    public static ReportCell Empty => new(null, null, null);

    public bool IsEmpty => Text is null && Number is null && Flag is null;

    public string Format(ColumnFormat format)
    {
        if (Text is not null)
        {
            return Text;
        }

        if (Flag is bool flag)
        {
            return flag ? "yes" : "no";
        }

        if (Number is not double value)
        {
            return "-";
        }

        return format switch
        {
            ColumnFormat.Integer => Math.Round(value).ToString("N0", CultureInfo.InvariantCulture),
            ColumnFormat.Percent or ColumnFormat.Decimal => value.ToString("N1", CultureInfo.InvariantCulture),
            ColumnFormat.Ratio => value.ToString("N2", CultureInfo.InvariantCulture),
            _ => value.ToString("G", CultureInfo.InvariantCulture),
        };
    }
}

/// <summary>
/// A table of the report as data: the text report prints it, the JSON output serialises it, the
/// charts read it. <see cref="Id"/> is stable across releases (the JSON schema refers to it).
/// </summary>
public sealed record ReportTable(string Id, string Title, IReadOnlyList<ReportColumn> Columns, IReadOnlyList<IReadOnlyList<ReportCell>> Rows)
{
    /// <summary>Writes the table as aligned text: text columns left-aligned, numbers right-aligned, units in the header.</summary>
    public void Write(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var header = Columns.Select(c => c.Header).ToArray();
        var rows = Rows.Select(r => Columns.Select((c, i) => i < r.Count ? r[i].Format(c.Format) : "").ToArray()).ToList();
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        writer.WriteLine(Line(header, widths));
        writer.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in rows)
        {
            writer.WriteLine(Line(row, widths));
        }
    }

    private string Line(string[] cells, int[] widths) =>
        string.Join("  ", widths.Select((w, i) => Columns[i].Numeric ? cells[i].PadLeft(w) : cells[i].PadRight(w))).TrimEnd();
}
