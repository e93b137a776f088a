using System.Linq;
using System.Text;
using MsrGen.Generator.Tests.Infrastructure;
using Xunit;

namespace MsrGen.Generator.Tests.Diagnostics;

/// <summary>
/// Definitions that are structurally impossible, or built to exhaust the generator, get located
/// MSRGEN diagnostics; the other registers still generate and the output compiles.
/// </summary>
public sealed class StructuralLimitTests
{
    private const string Valid = """

        msr STILL_VALID 0x7FF
          vendor intel
          access rw
          reserved 63:8
          field 7:0 VALUE
        end
        """;

    private static GeneratorRun Run(string text) =>
        GeneratorHarness.Run(GeneratorHarness.Definition("limits.msr", text.Replace("\r\n", "\n") + "\n" + Valid));

    private static void AssertStillGeneratesAndCompiles(GeneratorRun run)
    {
        Assert.Contains("public readonly partial record struct StillValid", run.Source("limits.msr.g.cs"));
        GeneratorHarness.AssertCompilesCleanly(run);
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == "MSRGEN9099");
    }

    [Fact]
    public void Stride_zero_is_MSRGEN9014_not_uncompilable_output()
    {
        // Before: no diagnostic, and MsrCatalog.g.cs failed with CS0117 / duplicate cases.
        var run = Run("""
            msr SAME_PLACE{n} 0x900
              vendor intel
              access rw
              array stride=0 max=4 count=4
              reserved 63:0
            end
            """);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("MSRGEN9014", diagnostic.Id);
        Assert.Equal(4, diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1);
        Assert.Contains("stride", diagnostic.GetMessage());
        AssertStillGeneratesAndCompiles(run);
    }

    [Fact]
    public void An_intercept_rule_after_an_unconditional_one_of_the_same_mode_is_MSRGEN9001()
    {
        // The first rule whose condition holds wins, so the third line could never apply; it used to
        // be dropped without a word. The mediated rule after it is a different mode and stays.
        var run = Run("""
            msr SHADOWED 0x901
              vendor intel
              access rw
              reserved 63:0
              intercept emulated rw
              intercept emulated none when gp > 2
              intercept mediated none
            end
            """);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("MSRGEN9001", diagnostic.Id);
        Assert.Equal(6, diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1);
        Assert.Contains("can never apply", diagnostic.GetMessage());
        AssertStillGeneratesAndCompiles(run);
    }

    [Fact]
    public void Array_instances_past_the_last_address_are_MSRGEN9014()
    {
        // 0xFFFFFFF0 + 16 * 3 does not fit in 32 bits: the instances would wrap to address 0x20.
        var run = Run("""
            msr WRAPS{n} 0xFFFFFFF0
              vendor intel
              access rw
              array stride=16 max=4 count=4
              reserved 63:0
            end
            """);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("MSRGEN9014", diagnostic.Id);
        Assert.Contains("0xFFFFFFFF", diagnostic.GetMessage());
        AssertStillGeneratesAndCompiles(run);
    }

    [Theory]
    [InlineData("!", 100_000, "nests too deeply")]
    [InlineData("(", 100_000, "nests too deeply")]
    public void Deep_conditions_are_a_diagnostic_not_a_stack_overflow(string prefix, int count, string message)
    {
        // Before: 'gate' with 100,000 '!' overflowed the compiler's stack (unary recursion was not counted).
        string condition = string.Concat(Enumerable.Repeat(prefix, count)) + "tsx";
        var run = Run($"""
            msr DEEP 0x901
              vendor intel
              access rw
              gate {condition}
              reserved 63:0
            end
            """);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("MSRGEN9001", diagnostic.Id);
        Assert.Contains(message, diagnostic.GetMessage());
        AssertStillGeneratesAndCompiles(run);
    }

    [Fact]
    public void Long_conditions_are_a_diagnostic()
    {
        string condition = string.Join(" && ", Enumerable.Repeat("tsx", 100_000));
        var run = Run($"""
            msr LONG 0x902
              vendor intel
              access rw
              gate {condition}
              reserved 63:0
            end
            """);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("MSRGEN9001", diagnostic.Id);
        Assert.Contains("too long", diagnostic.GetMessage());
        AssertStillGeneratesAndCompiles(run);
    }

    [Fact]
    public void Nesting_within_the_bound_still_generates()
    {
        // 32 '!' (an even number) and 20 parentheses: inside the documented bound of 64.
        string condition = string.Concat(Enumerable.Repeat("!", 32)) + new string('(', 20) + "tsx" + new string(')', 20);
        var run = Run($"""
            msr NESTED 0x903
              vendor intel
              access rw
              gate {condition}
              reserved 63:0
            end
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Contains("public readonly partial record struct Nested", run.Source("limits.msr.g.cs"));
        GeneratorHarness.AssertCompilesCleanly(run);
    }

    [Fact]
    public void A_megabyte_of_garbage_gives_a_capped_list_of_diagnostics()
    {
        // Before: about 524,000 diagnostics for one such line, and a build killed after 10 minutes.
        var garbage = new StringBuilder("msr GARBAGE 0x904\n  vendor intel\n  access rw\n  field 7:0 F ");
        for (int i = 0; i < 1_000_000 / 4; i++)
        {
            garbage.Append("x=1 ");
        }

        garbage.Append("\n  reserved 63:8\nend\n");
        for (int i = 0; i < 300; i++)
        {
            garbage.Append("nonsense line\n");
        }

        var run = Run(garbage.ToString());
        int cap = 100;
        Assert.Equal(cap + 1, run.GeneratorDiagnostics.Length);
        var last = run.GeneratorDiagnostics.Last();
        Assert.Contains(" more error(s) in this file", last.GetMessage());
        AssertStillGeneratesAndCompiles(run);
    }
}
