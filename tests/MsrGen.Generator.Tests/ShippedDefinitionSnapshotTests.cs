using System.Linq;
using MsrGen.Generator.Tests.Infrastructure;
using Xunit;

namespace MsrGen.Generator.Tests;

/// <summary>The generated code of every shipped definition file (registers/definitions) and the catalog built from them.</summary>
public sealed class ShippedDefinitionSnapshotTests
{
    [Fact]
    public void AllShippedDefinitions()
    {
        var run = GeneratorHarness.Run(GeneratorHarness.AllShipped());

        Assert.Empty(run.GeneratorDiagnostics);
        var expectedHints = GeneratorHarness.ShippedDefinitionNames
            .Select(n => n.Substring(0, n.Length - 4) + ".msr.g.cs")
            .Append("MsrCatalog.g.cs")
            .OrderBy(n => n, System.StringComparer.Ordinal);
        Assert.Equal(expectedHints, run.Sources.Select(s => s.HintName));
        GeneratorHarness.AssertCompilesCleanly(run);
        Snapshot.VerifyRun(run);
    }

    [Theory]
    [InlineData("intel-arch-pmu.msr")]
    [InlineData("intel-lbr.msr")]
    [InlineData("amd-pmu.msr")]
    [InlineData("kvm-paravirt.msr")]
    public void Each_shipped_file_compiles_on_its_own_with_its_own_catalog(string fileName)
    {
        var run = GeneratorHarness.Run(GeneratorHarness.Shipped(fileName));

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Equal(2, run.Sources.Count);
        GeneratorHarness.AssertCompilesCleanly(run);

        // A file's source does not depend on which other files are in the project.
        var together = GeneratorHarness.Run(GeneratorHarness.AllShipped());
        string hint = fileName.Substring(0, fileName.Length - 4) + ".msr.g.cs";
        Assert.Equal(together.Source(hint), run.Source(hint));
    }
}
