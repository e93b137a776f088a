using System;
using System.Text;

namespace MsrGen.Generator.Emit;

/// <summary>A StringBuilder that keeps the indentation; output always uses '\n' line ends.</summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _sb = new();
    private int _indent;

    public SourceWriter Line(string text = "")
    {
        if (text.Length > 0)
        {
            _sb.Append(' ', _indent * 4);
            _sb.Append(text);
        }

        _sb.Append('\n');
        return this;
    }

    public SourceWriter Open(string header)
    {
        if (header.Length > 0)
        {
            Line(header);
        }

        Line("{");
        _indent++;
        return this;
    }

    public SourceWriter Close(string suffix = "")
    {
        _indent--;
        Line("}" + suffix);
        return this;
    }

    /// <summary>Writes /// summary lines, escaping XML.</summary>
    public SourceWriter Doc(string text)
    {
        // One line where it fits keeps the generated files (and their snapshots) short to review.
        if (text.IndexOf('\n') < 0 && text.Length <= 100)
        {
            return Line("/// <summary>" + Escape(text) + "</summary>");
        }

        Line("/// <summary>");
        foreach (var line in text.Split('\n'))
        {
            Line("/// " + Escape(line.TrimEnd('\r')));
        }

        Line("/// </summary>");
        return this;
    }

    public static string Escape(string text) =>
        text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    public static string Literal(string text) =>
        "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n").Replace("\r", "") + "\"";

    public override string ToString()
    {
        if (_indent != 0)
        {
            throw new InvalidOperationException("unbalanced indentation in generated source");
        }

        return _sb.ToString();
    }
}
