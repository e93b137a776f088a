using System;
using System.Linq;
using MsrGen.Generator.Tests.Infrastructure;
using Xunit;

namespace MsrGen.Generator.Tests.Diagnostics;

// MSRGEN9007 onwards: addresses, values, blocks, properties and whole files.
public sealed partial class DefinitionDiagnosticTests
{
    [Fact]
    public void MSRGEN9007_two_registers_at_one_address_in_one_profile()
    {
        var diagnostic = AssertReportedAt("MSRGEN9007", """
            vendor kvm
            msr FIRST_USER 0x4B564DF0
              access rw
              reserved 63:0
            end
            msr SECOND_USER 0x4B564DF0
              profile upstream
              access rw
              reserved 63:0
            end
            """, line: 6, token: "SECOND_USER");
        Assert.Contains("upstream", diagnostic.GetMessage());
    }

    [Fact]
    public void MSRGEN9007_array_instance_landing_on_a_scalar()
    {
        AssertReportedAt("MSRGEN9007", """
            vendor intel
            msr SCALAR 0x13
              access rw
              reserved 63:0
            end
            msr ARRAY{n} 0x10
              array stride=1 max=8 count=gp
              access rw
              reserved 63:0
            end
            """, line: 6, token: "ARRAY{n}");
    }

    [Fact]
    public void MSRGEN9008_reset_value_with_reserved_bits()
    {
        AssertReportedAt("MSRGEN9008", """
            msr BROKEN 0x10
              vendor intel
              access rw
              reset 0x100
              reserved 63:8
              field 7:0 LOW
            end
            """, line: 4, token: "0x100");
    }

    [Fact]
    public void MSRGEN9009_unknown_capability()
    {
        AssertReportedAt("MSRGEN9009", """
            msr BROKEN 0x10
              vendor intel
              access rw
              gate version >= 2 &&   hyperthreads
              reserved 63:0
            end
            """, line: 4, token: "hyperthreads");
    }

    [Fact]
    public void MSRGEN9009_unknown_capability_inside_a_key_value_is_located_at_the_name()
    {
        AssertReportedAt("MSRGEN9009", """
            msr BROKEN{n} 0x10
              vendor intel
              array stride=1 max=4 count=gpcounters
              access rw
              reserved 63:0
            end
            """, line: 3, token: "gpcounters");
    }

    [Fact]
    public void MSRGEN9009_unknown_host_capability_in_an_intercept_condition()
    {
        AssertReportedAt("MSRGEN9009", """
            msr BROKEN 0x10
              vendor intel
              access rw
              intercept mediated none when gp == host.gp && fixed == host.cores
              reserved 63:0
            end
            """, line: 4, token: "host.cores");
    }

    [Fact]
    public void MSRGEN9010_array_register_without_bound()
    {
        AssertReportedAt("MSRGEN9010", """
            msr BROKEN{n} 0x10
              vendor intel
              access rw
              reserved 63:0
            end
            """, line: 1, token: "BROKEN{n}");
    }

    [Fact]
    public void MSRGEN9010_array_line_without_max()
    {
        AssertReportedAt("MSRGEN9010", """
            msr BROKEN{n} 0x10
              vendor intel
              array stride=1 count=gp
              access rw
              reserved 63:0
            end
            """, line: 3, token: "array");
    }

    [Fact]
    public void MSRGEN9011_register_without_end()
    {
        AssertReportedAt("MSRGEN9011", """
            msr OPEN 0x10
              vendor intel
              access rw
              reserved 63:0
            """, line: 1, token: "OPEN");
    }

    [Fact]
    public void MSRGEN9011_enum_still_open_at_the_next_register()
    {
        AssertReportedAt("MSRGEN9011", """
            msr OPEN 0x10
              vendor intel
              access rw
              reserved 63:4
              enum 3:0 MODE
                0 OFF
                1 ON
            """, line: 5, token: "3:0");
    }

    [Fact]
    public void MSRGEN9012_bad_number()
    {
        AssertReportedAt("MSRGEN9012", """
            msr BROKEN 0x1G
              vendor intel
              access rw
              reserved 63:0
            end
            """, line: 1, token: "0x1G");
    }

    [Fact]
    public void MSRGEN9013_missing_access()
    {
        AssertReportedAt("MSRGEN9013", """
            msr BROKEN 0x10
              vendor intel
              reserved 63:0
            end
            """, line: 1, token: "BROKEN");
    }

    [Fact]
    public void MSRGEN9014_bad_property_value()
    {
        AssertReportedAt("MSRGEN9014", """
            msr BROKEN 0x10
              vendor intel
              access rx
              reserved 63:0
            end
            """, line: 3, token: "rx");
    }

    [Fact]
    public void MSRGEN9014_array_with_max_zero()
    {
        AssertReportedAt("MSRGEN9014", """
            msr BROKEN{n} 0x10
              vendor intel
              array stride=1 max=0 count=gp
              access rw
              reserved 63:0
            end
            """, line: 3, token: "0");
    }

    [Fact]
    public void MSRGEN9006_one_type_name_in_two_files_is_reported_and_the_rest_compiles()
    {
        var first = new InMemoryAdditionalText("/a/first.msr", "vendor intel\nmsr IA32_SAME{n} 0x10\n  array stride=1 max=2 count=gp\n  access rw\n  reserved 63:0\nend\n");
        var second = new InMemoryAdditionalText("/b/second.msr",
            "vendor intel\nmsr IA32_SAME_{n} 0x20\n  array stride=1 max=2 count=gp\n  access rw\n  reserved 63:0\nend\n" +
            "msr IA32_OTHER 0x30\n  access rw\n  reserved 63:0\nend\n");

        var run = GeneratorHarness.Run(first, second);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("MSRGEN9006", diagnostic.Id);
        var span = diagnostic.Location.GetLineSpan();
        Assert.Equal(("/b/second.msr", 1, 4), (span.Path, span.StartLinePosition.Line, span.StartLinePosition.Character));
        Assert.Contains("struct Ia32Same ", run.Source("first.msr.g.cs"));
        Assert.DoesNotContain("struct Ia32Same ", run.Source("second.msr.g.cs"));
        Assert.Contains("struct Ia32Other ", run.Source("second.msr.g.cs"));
        GeneratorHarness.AssertCompilesCleanly(run);
    }

    [Fact]
    public void MSRGEN9015_two_definition_files_with_one_name()
    {
        var first = new InMemoryAdditionalText("/a/same.msr", "vendor intel\nmsr FROM_A 0x10\n  access rw\n  reserved 63:0\nend\n");
        var second = new InMemoryAdditionalText("/b/same.msr", "vendor intel\nmsr FROM_B 0x11\n  access rw\n  reserved 63:0\nend\n");

        var run = GeneratorHarness.Run(first, second);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("MSRGEN9015", diagnostic.Id);
        var span = diagnostic.Location.GetLineSpan();
        Assert.Equal("/b/same.msr", span.Path);
        Assert.Equal(0, span.StartLinePosition.Line);
        Assert.Equal(0, span.StartLinePosition.Character);
        Assert.Contains("public readonly partial record struct FromA", run.Source("same.msr.g.cs"));
        GeneratorHarness.AssertCompilesCleanly(run);
    }

    [Fact]
    public void Every_diagnostic_id_has_a_descriptor_with_a_help_link_into_the_docs()
    {
        var ids = MsrGen.Generator.Model.GeneratorDiagnostics.All.Select(d => d.Id).OrderBy(i => i, StringComparer.Ordinal).ToList();

        Assert.Equal(Enumerable.Range(9001, 15).Select(i => "MSRGEN" + i).Append("MSRGEN9099"), ids);
        string docs = System.IO.File.ReadAllText(System.IO.Path.Combine(TestPaths.RepositoryRoot, "docs", "definition-diagnostics.md"));
        foreach (var descriptor in MsrGen.Generator.Model.GeneratorDiagnostics.All)
        {
            Assert.Equal(PublishedDocs.Url + "definition-diagnostics.md#" + descriptor.Id.ToLowerInvariant(), descriptor.HelpLinkUri);
            Assert.StartsWith("https://", descriptor.HelpLinkUri);
            Assert.Contains("## " + descriptor.Id, docs);
        }
    }
}
