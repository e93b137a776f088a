using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using MsrGen.Generator.Tests.Infrastructure;
using Xunit;

namespace MsrGen.Generator.Tests.Diagnostics;

/// <summary>
/// One test per MSRGEN id: the diagnostic names the definition file, line and column of the offending
/// token, and the valid register at the end of the same file is still generated and compiles.
/// </summary>
public sealed partial class DefinitionDiagnosticTests
{
    private const string FileName = "case.msr";

    private const string ValidRegister = """

        msr STILL_VALID 0x7FF
          vendor intel
          access rw
          reserved 63:8
          field 7:0 VALUE
        end
        """;

    /// <summary>Runs <paramref name="text"/> (plus a valid register) and checks one <paramref name="id"/> at the token on that line.</summary>
    private static Diagnostic AssertReportedAt(string id, string text, int line, string token, int occurrence = 1)
    {
        string source = text.Replace("\r\n", "\n") + "\n" + ValidRegister;
        var run = GeneratorHarness.Run(GeneratorHarness.Definition(FileName, source));

        var matching = run.GeneratorDiagnostics.Where(d => d.Id == id).ToList();
        Assert.True(matching.Count == 1,
            $"expected one {id}, got:\n" + string.Join("\n", run.GeneratorDiagnostics.Select(d => d.ToString())));
        var diagnostic = matching[0];
        var span = diagnostic.Location.GetLineSpan();
        Assert.Equal("/definitions/" + FileName, span.Path);
        Assert.Equal(line, span.StartLinePosition.Line + 1);
        Assert.Equal(ColumnOf(source, line, token, occurrence), span.StartLinePosition.Character + 1);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.False(string.IsNullOrWhiteSpace(diagnostic.GetMessage()));
        Assert.Equal(PublishedDocs.Url + "definition-diagnostics.md#" + id.ToLowerInvariant(), diagnostic.Descriptor.HelpLinkUri);

        Assert.Contains("public readonly partial record struct StillValid", run.Source("case.msr.g.cs"));
        GeneratorHarness.AssertCompilesCleanly(run);
        return diagnostic;
    }

    /// <summary>1-based column of the n-th whole-word occurrence of <paramref name="token"/> on a 1-based line.</summary>
    private static int ColumnOf(string text, int line, string token, int occurrence)
    {
        string lineText = text.Split('\n')[line - 1];
        int index = -1;
        for (int found = 0; found < occurrence;)
        {
            index = lineText.IndexOf(token, index + 1, StringComparison.Ordinal);
            Assert.True(index >= 0, $"'{token}' is not on line {line}: '{lineText}'");
            bool startsWord = index == 0 || char.IsWhiteSpace(lineText[index - 1]) || lineText[index - 1] == '=';
            if (startsWord)
            {
                found++;
            }
        }

        return index + 1;
    }

    [Fact]
    public void MSRGEN9001_syntax_error_unclosed_string()
    {
        AssertReportedAt("MSRGEN9001", """
            msr BROKEN 0x10
              vendor intel
              access rw
              doc "never closed
              reserved 63:0
            end
            """, line: 4, token: "\"never");
    }

    [Fact]
    public void MSRGEN9001_syntax_error_msr_without_address()
    {
        AssertReportedAt("MSRGEN9001", """
            vendor intel
            msr BROKEN
              access rw
              reserved 63:0
            end
            """, line: 2, token: "msr");
    }

    [Fact]
    public void MSRGEN9001_constant_wider_than_a_capability()
    {
        // Found by the mutation fuzzer: 'version >= 31984744215' compiled to a comparison C# warns about (CS0652).
        AssertReportedAt("MSRGEN9001", """
            msr BROKEN 0x10
              vendor intel
              access rw
              gate version >= 31984744215
              reserved 63:0
            end
            """, line: 4, token: "31984744215");
    }

    [Fact]
    public void MSRGEN9002_unknown_keyword_in_a_register()
    {
        AssertReportedAt("MSRGEN9002", """
            msr BROKEN 0x10
              vendor intel
              access rw
              colour red
              reserved 63:0
            end
            """, line: 4, token: "colour");
    }

    [Fact]
    public void MSRGEN9002_unknown_key_in_a_statement()
    {
        AssertReportedAt("MSRGEN9002", """
            msr BROKEN{n} 0x10
              vendor intel
              array stride=1 max=4 count=gp colour=red
              access rw
              reserved 63:0
            end
            """, line: 3, token: "colour=red");
    }

    [Fact]
    public void MSRGEN9003_overlapping_fields()
    {
        AssertReportedAt("MSRGEN9003", """
            msr BROKEN 0x10
              vendor intel
              access rw
              reserved 63:8
              field 7:0 LOW
              field 3 INSIDE
            end
            """, line: 6, token: "3");
    }

    [Fact]
    public void MSRGEN9004_unaccounted_bits()
    {
        var diagnostic = AssertReportedAt("MSRGEN9004", """
            msr BROKEN 0x10
              vendor intel
              access rw
              reserved 63:9
              field 7:0 LOW
            end
            """, line: 1, token: "BROKEN");
        Assert.Contains("bit 8 ", diagnostic.GetMessage());
    }

    [Fact]
    public void MSRGEN9005_bit_outside_0_to_63()
    {
        AssertReportedAt("MSRGEN9005", """
            msr BROKEN 0x10
              vendor intel
              access rw
              field 64 HIGH
              reserved 63:0
            end
            """, line: 4, token: "64");
    }

    [Fact]
    public void MSRGEN9005_field_array_reaching_past_bit_63()
    {
        AssertReportedAt("MSRGEN9005", """
            msr BROKEN 0x10
              vendor intel
              access rw
              array-field EN{n} at=60 width=1 max=8
              reserved 59:0
            end
            """, line: 4, token: "array-field");
    }

    [Fact]
    public void MSRGEN9006_duplicate_field_name()
    {
        AssertReportedAt("MSRGEN9006", """
            msr BROKEN 0x10
              vendor intel
              access rw
              reserved 63:2
              field 1 SAME
              field 0 SAME
            end
            """, line: 6, token: "0");
    }

    [Fact]
    public void MSRGEN9006_duplicate_register_name()
    {
        AssertReportedAt("MSRGEN9006", """
            vendor intel
            msr TWICE 0x10
              access rw
              reserved 63:0
            end
            msr TWICE 0x11
              access rw
              reserved 63:0
            end
            """, line: 6, token: "TWICE");
    }

    [Fact]
    public void MSRGEN9006_field_names_that_become_one_csharp_member()
    {
        AssertReportedAt("MSRGEN9006", """
            msr BROKEN 0x10
              vendor intel
              access rw
              reserved 63:2
              field 1 EN_0
              field 0 EN0
            end
            """, line: 6, token: "0");
    }

    [Fact]
    public void MSRGEN9006_field_named_like_its_register_type()
    {
        AssertReportedAt("MSRGEN9006", """
            msr MODE 0x10
              vendor intel
              access rw
              reserved 63:1
              field 0 MODE
            end
            """, line: 5, token: "0");
    }

    [Fact]
    public void MSRGEN9006_register_named_like_a_catalog_type()
    {
        AssertReportedAt("MSRGEN9006", """
            msr MSR_CATALOG 0x10
              vendor intel
              access rw
              reserved 63:0
            end
            """, line: 1, token: "MSR_CATALOG");
    }

    [Fact]
    public void MSRGEN9006_enum_values_with_one_csharp_name()
    {
        AssertReportedAt("MSRGEN9006", """
            msr BROKEN 0x10
              vendor intel
              access rw
              reserved 63:2
              enum 1:0 MODE
                0 MODE_1
                1 MODE1
              end
            end
            """, line: 7, token: "MODE1");
    }
}
