using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace MsrGen.Generator.Tests.Infrastructure;

/// <summary>One generator run: the driver result, the compilation with the generated sources, and its diagnostics.</summary>
internal sealed record GeneratorRun(GeneratorDriver Driver, GeneratorDriverRunResult Result, Compilation Output)
{
    public GeneratorRunResult Single => Result.Results.Single();

    public ImmutableArray<Diagnostic> GeneratorDiagnostics => Single.Diagnostics;

    public IReadOnlyList<GeneratedSourceResult> Sources =>
        Single.GeneratedSources.OrderBy(s => s.HintName, StringComparer.Ordinal).ToList();

    public string Source(string hintName) =>
        Sources.Single(s => s.HintName == hintName).SourceText.ToString();
}

/// <summary>
/// Drives <see cref="MsrRegisterGenerator"/> the way the compiler does, over in-memory or shipped definition
/// files, and compiles what it produced against the running runtime plus MsrGen.Registers (for the core types).
/// </summary>
internal static class GeneratorHarness
{
    /// <summary>Generated code goes here so it does not clash with MsrGen.Registers' own generated types.</summary>
    public const string TestNamespace = "MsrGen.GeneratedUnderTest";

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(LoadReferences);

    public static ImmutableArray<MetadataReference> References => s_references.Value;

    public static IReadOnlyList<string> ShippedDefinitionNames { get; } =
        Directory.GetFiles(TestPaths.DefinitionsDirectory, "*.msr")
            .Select(Path.GetFileName)
            .OfType<string>()
            .OrderBy(n => n, StringComparer.Ordinal)
            .ToList();

    public static AdditionalText Shipped(string fileName)
    {
        string path = TestPaths.Definition(fileName);
        return new InMemoryAdditionalText(path, File.ReadAllText(path));
    }

    public static IReadOnlyList<AdditionalText> AllShipped() => ShippedDefinitionNames.Select(Shipped).ToList();

    /// <summary>A hand-written definition file; the path is fixed so diagnostics read the same everywhere.</summary>
    public static AdditionalText Definition(string fileName, string text) =>
        new InMemoryAdditionalText("/definitions/" + fileName, text.Replace("\r\n", "\n"));

    public static CSharpCompilation CreateCompilation(params string[] sources) =>
        CSharpCompilation.Create(
            "GeneratedUnderTest",
            sources.Select(s => CSharpSyntaxTree.ParseText(s, ParseOptions)),
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                warningLevel: 9999,
                deterministic: true));

    public static GeneratorDriver CreateDriver(IEnumerable<AdditionalText> texts, string? ns = TestNamespace)
    {
        var options = new Dictionary<string, string>();
        if (ns is not null)
        {
            options["build_property.MsrGen_Namespace"] = ns;
        }

        return CreateDriver(texts, options);
    }

    /// <summary>A driver with the given build_property.* values (what MSBuild passes through the editorconfig).</summary>
    public static GeneratorDriver CreateDriver(IEnumerable<AdditionalText> texts, IReadOnlyDictionary<string, string> options)
    {
        return CSharpGeneratorDriver.Create(
            new[] { new MsrRegisterGenerator().AsSourceGenerator() },
            texts,
            ParseOptions,
            new TestOptionsProvider(options),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
    }

    public static GeneratorRun Run(IEnumerable<AdditionalText> texts, string? ns = TestNamespace)
    {
        var compilation = CreateCompilation("namespace Consumer { internal static class Placeholder { } }");
        var driver = CreateDriver(texts, ns).RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        var run = new GeneratorRun(driver, driver.GetRunResult(), output);
        AssertDidNotThrow(run.Result);
        return run;
    }

    public static GeneratorRun Run(params AdditionalText[] texts) => Run((IEnumerable<AdditionalText>)texts);

    /// <summary>The generator must report problems as MSRGEN diagnostics, never by throwing (CS8785).</summary>
    public static void AssertDidNotThrow(GeneratorDriverRunResult result)
    {
        foreach (var generator in result.Results)
        {
            Assert.True(generator.Exception is null, "the generator threw: " + generator.Exception);
            Assert.DoesNotContain(generator.Diagnostics, d => d.Id == "CS8785");
        }

        Assert.DoesNotContain(result.Diagnostics, d => d.Id == "CS8785");
    }

    /// <summary>The generated code compiles with no error and no warning at the highest warning level.</summary>
    public static void AssertCompilesCleanly(GeneratorRun run)
    {
        var problems = run.Output.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .Select(d => d.ToString())
            .ToList();
        Assert.True(problems.Count == 0, "generated code does not compile cleanly:\n" + string.Join("\n", problems.Take(30)));
    }

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        string frameworkDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var trusted = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => string.Equals(Path.GetDirectoryName(p), frameworkDirectory, StringComparison.Ordinal))
            .Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase));
        return trusted
            .Append(typeof(MsrGen.Registers.PmuCaps).Assembly.Location)
            .Distinct(StringComparer.Ordinal)
            .OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray();
    }
}
