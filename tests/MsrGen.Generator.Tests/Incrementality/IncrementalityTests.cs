using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using MsrGen.Generator.Model;
using MsrGen.Generator.Tests.Infrastructure;
using Xunit;

namespace MsrGen.Generator.Tests.Incrementality;

/// <summary>
/// Tracked pipeline steps over the shipped definitions: what a re-run, an unrelated C# edit and edits of one
/// definition file may recompute. Cached = not re-run; Unchanged = re-run, equal output; Modified = new output.
/// </summary>
public sealed class IncrementalityTests
{
    private const string EditedFile = "intel-lbr.msr";

    private static readonly string[] AllSteps =
    {
        StepNames.Namespace, StepNames.DefinitionFiles, StepNames.ParsedDefinitions, StepNames.RegisterSources,
        StepNames.FileDiagnostics, StepNames.CatalogEntries, StepNames.Catalog, StepNames.CatalogSource,
        StepNames.CatalogDiagnostics, StepNames.ShadowedFiles, StepNames.DroppedRegisters,
    };

    private sealed record Setup(GeneratorDriver Driver, Compilation Compilation, IReadOnlyList<AdditionalText> Texts)
    {
        public AdditionalText Text(string fileName) => Texts.Single(t => t.Path.EndsWith("/" + fileName, StringComparison.Ordinal));
    }

    private static Setup FirstRun()
    {
        var texts = GeneratorHarness.AllShipped();
        var compilation = GeneratorHarness.CreateCompilation("namespace Consumer { internal static class Program { } }");
        var driver = GeneratorHarness.CreateDriver(texts).RunGenerators(compilation);
        GeneratorHarness.AssertDidNotThrow(driver.GetRunResult());
        return new Setup(driver, compilation, texts);
    }

    private static GeneratorRunResult Edit(Setup setup, string fileName, Func<string, string> edit, out GeneratorDriver driver)
    {
        var old = setup.Text(fileName);
        string before = old.GetText()!.ToString();
        string after = edit(before);
        Assert.NotEqual(before, after);
        driver = setup.Driver.ReplaceAdditionalText(old, new InMemoryAdditionalText(old.Path, after)).RunGenerators(setup.Compilation);
        var result = driver.GetRunResult();
        GeneratorHarness.AssertDidNotThrow(result);
        return result.Results.Single();
    }

    private static IEnumerable<IncrementalStepRunReason> Reasons(GeneratorRunResult result, string step) =>
        result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason);

    private static IncrementalStepRunReason SourceReason(GeneratorRunResult result, string hintName) =>
        result.TrackedSteps[StepNames.RegisterSources]
            .SelectMany(s => s.Outputs)
            .Single(o => ((RegisterFileModel)o.Value).HintName == hintName)
            .Reason;

    private static IncrementalStepRunReason Single(GeneratorRunResult result, string step) =>
        Assert.Single(Reasons(result, step));

    [Fact]
    public void Identical_rerun_is_cached_at_every_step()
    {
        var setup = FirstRun();

        var result = setup.Driver.RunGenerators(setup.Compilation).GetRunResult().Results.Single();

        foreach (string step in AllSteps)
        {
            Assert.All(Reasons(result, step), reason => Assert.Equal(IncrementalStepRunReason.Cached, reason));
        }

        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void Unrelated_csharp_edit_leaves_every_step_cached_or_unchanged()
    {
        var setup = FirstRun();
        var edited = setup.Compilation.AddSyntaxTrees(
            CSharpSyntaxTree.ParseText("namespace Consumer { internal static class Added { public static int X => 1; } }", GeneratorHarness.ParseOptions));

        var result = setup.Driver.RunGenerators(edited).GetRunResult().Results.Single();

        foreach (string step in AllSteps)
        {
            Assert.NotEmpty(result.TrackedSteps[step]);
            Assert.All(Reasons(result, step), reason =>
                Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, step + " was " + reason));
        }
    }

    [Fact]
    public void Comment_only_edit_reparses_that_file_but_emits_nothing_new()
    {
        var setup = FirstRun();

        var result = Edit(setup, EditedFile, text => "# a comment added at the top moves every line\n" + text, out _);

        var parsed = Reasons(result, StepNames.ParsedDefinitions).ToList();
        Assert.Equal(1, parsed.Count(r => r == IncrementalStepRunReason.Modified));
        Assert.Equal(3, parsed.Count(r => r == IncrementalStepRunReason.Cached));
        Assert.Equal(IncrementalStepRunReason.Unchanged, SourceReason(result, "intel-lbr.msr.g.cs"));
        foreach (string other in new[] { "intel-arch-pmu.msr.g.cs", "amd-pmu.msr.g.cs", "kvm-paravirt.msr.g.cs" })
        {
            Assert.Equal(IncrementalStepRunReason.Cached, SourceReason(result, other));
        }

        // The catalog is rebuilt (its entries' positions moved) but comes out equal, so its source is not re-run.
        Assert.Equal(IncrementalStepRunReason.Unchanged, Single(result, StepNames.Catalog));
        Assert.Equal(IncrementalStepRunReason.Cached, Single(result, StepNames.CatalogSource));
        Assert.Equal(IncrementalStepRunReason.Cached, Single(result, StepNames.DroppedRegisters));
        Assert.Equal(IncrementalStepRunReason.Cached, Single(result, StepNames.ShadowedFiles));
    }

    [Fact]
    public void Field_change_modifies_only_that_files_source_and_not_the_catalog()
    {
        var setup = FirstRun();
        string before = GeneratorHarness.Run(setup.Texts).Source("MsrCatalog.g.cs");

        var result = Edit(setup, EditedFile, text => text.Replace("field 9 EN_CALLSTACK", "field 9 CALL_STACK_MODE"), out var driver);

        Assert.Equal(IncrementalStepRunReason.Modified, SourceReason(result, "intel-lbr.msr.g.cs"));
        foreach (string other in new[] { "intel-arch-pmu.msr.g.cs", "amd-pmu.msr.g.cs", "kvm-paravirt.msr.g.cs" })
        {
            Assert.Equal(IncrementalStepRunReason.Cached, SourceReason(result, other));
        }

        Assert.Equal(IncrementalStepRunReason.Unchanged, Single(result, StepNames.Catalog));
        Assert.Equal(IncrementalStepRunReason.Cached, Single(result, StepNames.CatalogSource));
        var sources = driver.GetRunResult().Results.Single().GeneratedSources;
        Assert.Contains("CallStackMode", sources.Single(s => s.HintName == "intel-lbr.msr.g.cs").SourceText.ToString());
        Assert.Equal(before, sources.Single(s => s.HintName == "MsrCatalog.g.cs").SourceText.ToString());
    }

    [Fact]
    public void Address_change_reaches_the_catalog_model_but_only_the_register_file_text()
    {
        var setup = FirstRun();
        string before = GeneratorHarness.Run(setup.Texts).Source("MsrCatalog.g.cs");

        var result = Edit(setup, EditedFile, text => text.Replace("msr MSR_LBR_TOS 0x1C9", "msr MSR_LBR_TOS 0x1CA"), out var driver);

        Assert.Equal(IncrementalStepRunReason.Modified, SourceReason(result, "intel-lbr.msr.g.cs"));
        Assert.Equal(IncrementalStepRunReason.Modified, Single(result, StepNames.Catalog));
        Assert.Equal(IncrementalStepRunReason.Modified, Single(result, StepNames.CatalogSource));
        // The catalog is a table of register types (rows in address order); addresses live in each type's
        // descriptor, so moving a register without reordering the catalog leaves the catalog text as it was.
        string catalog = driver.GetRunResult().Results.Single().GeneratedSources.Single(s => s.HintName == "MsrCatalog.g.cs").SourceText.ToString();
        Assert.Equal(before, catalog);
        Assert.Contains("public const uint Address = 0x1CAu;", driver.GetRunResult().Results.Single().GeneratedSources
            .Single(s => s.HintName == "intel-lbr.msr.g.cs").SourceText.ToString());
    }

    [Fact]
    public void Old_compilations_are_not_kept_alive_by_the_driver()
    {
        var (driver, firstCompilation) = RunTwiceOnThrowawayCompilations(GeneratorHarness.AllShipped());

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.False(firstCompilation.IsAlive, "the generator driver (or a pipeline model) still references the first compilation");
        GC.KeepAlive(driver);
    }

    // Kept out of line so no hidden local of the test method holds the first driver or compilation.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static (GeneratorDriver Driver, WeakReference FirstCompilation) RunTwiceOnThrowawayCompilations(IReadOnlyList<AdditionalText> texts)
    {
        var weak = RunOnce(texts, out var driver);
        driver = driver.RunGenerators(GeneratorHarness.CreateCompilation("namespace Consumer { internal static class Second { } }"));
        return (driver, weak);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference RunOnce(IReadOnlyList<AdditionalText> texts, out GeneratorDriver driver)
    {
        var compilation = GeneratorHarness.CreateCompilation("namespace Consumer { internal static class First { } }");
        driver = GeneratorHarness.CreateDriver(texts).RunGenerators(compilation);
        return new WeakReference(compilation);
    }
}
