using System.Collections.Generic;
using System.Linq;
using MsrGen.Generator.Tests.Infrastructure;
using Xunit;

namespace MsrGen.Generator.Tests;

/// <summary>Where the generated types go: MsrGen_Namespace, else RootNamespace, else a fixed default.</summary>
public sealed class NamespaceOptionTests
{
    private static readonly Microsoft.CodeAnalysis.AdditionalText Definition = GeneratorHarness.Definition("one.msr", """
        vendor intel
        msr TEST_ONE 0x10
          access rw
          reserved 63:0
        end
        """);

    private static IEnumerable<string> Namespaces(Dictionary<string, string> options)
    {
        var driver = GeneratorHarness.CreateDriver(new[] { Definition }, options)
            .RunGenerators(GeneratorHarness.CreateCompilation("class C { }"));
        var sources = driver.GetRunResult().Results.Single().GeneratedSources;
        Assert.Equal(2, sources.Length);
        return sources.Select(s => s.SourceText.Lines.Select(l => l.ToString()).Single(l => l.StartsWith("namespace ", System.StringComparison.Ordinal))).Distinct();
    }

    [Fact]
    public void MsrGen_Namespace_wins()
    {
        var options = new Dictionary<string, string>
        {
            ["build_property.MsrGen_Namespace"] = " Contoso.Pmu ",
            ["build_property.RootNamespace"] = "Contoso.App",
        };

        Assert.Equal(new[] { "namespace Contoso.Pmu" }, Namespaces(options));
    }

    [Fact]
    public void RootNamespace_is_the_fallback()
    {
        var options = new Dictionary<string, string> { ["build_property.RootNamespace"] = "Contoso.App" };

        Assert.Equal(new[] { "namespace Contoso.App" }, Namespaces(options));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1Bad.Name")]
    [InlineData("Contoso..Pmu")]
    [InlineData("Contoso Pmu")]
    public void An_invalid_namespace_falls_back_to_the_default(string configured)
    {
        var options = new Dictionary<string, string> { ["build_property.MsrGen_Namespace"] = configured };

        Assert.Equal(new[] { "namespace MsrGen.Registers.Generated" }, Namespaces(options));
    }
}
