using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using MsrGen.Generator.Emit;
using MsrGen.Generator.Model;
using MsrGen.Generator.Parsing;

namespace MsrGen.Generator;

/// <summary>Names of the tracked pipeline steps (incrementality tests assert on them).</summary>
public static class StepNames
{
    public const string DefinitionFiles = nameof(DefinitionFiles);
    public const string ParsedDefinitions = nameof(ParsedDefinitions);
    public const string RegisterSources = nameof(RegisterSources);
    public const string FileDiagnostics = nameof(FileDiagnostics);
    public const string CatalogEntries = nameof(CatalogEntries);
    public const string Catalog = nameof(Catalog);
    public const string CatalogSource = nameof(CatalogSource);
    public const string CatalogDiagnostics = nameof(CatalogDiagnostics);
    public const string Namespace = nameof(Namespace);
    public const string ShadowedFiles = nameof(ShadowedFiles);
    public const string DroppedRegisters = nameof(DroppedRegisters);
}

/// <summary>
/// Turns <c>*.msr</c> definition files (AdditionalFiles) into typed register value types, one source
/// per file, plus one cross-file catalog. File problems become MSRGEN9xxx diagnostics located in the
/// definition file; valid registers of the same file still generate.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class MsrRegisterGenerator : IIncrementalGenerator
{
    private const string DefaultNamespace = "MsrGen.Registers.Generated";

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var ns = context.AnalyzerConfigOptionsProvider
            .Select(static (options, _) =>
            {
                var global = options.GlobalOptions;
                if (global.TryGetValue("build_property.MsrGen_Namespace", out var configured) && IsNamespace(configured))
                {
                    return configured.Trim();
                }

                if (global.TryGetValue("build_property.RootNamespace", out var root) && IsNamespace(root))
                {
                    return root.Trim();
                }

                return DefaultNamespace;
            })
            .WithTrackingName(StepNames.Namespace);

        var files = context.AdditionalTextsProvider
            .Where(static text => text.Path.EndsWith(".msr", StringComparison.OrdinalIgnoreCase))
            .Select(static (text, ct) => (Path: text.Path, Text: text.GetText(ct)?.ToString() ?? string.Empty))
            .WithTrackingName(StepNames.DefinitionFiles);

        var parsed = files
            .Select(static (file, _) => DefinitionParser.Parse(file.Path, file.Text))
            .WithTrackingName(StepNames.ParsedDefinitions);

        // Two files with one name would need one hint name twice (the driver throws on that). The set of paths
        // changes only when files are added, removed or renamed, so content edits leave this step cached.
        var shadowed = files
            .Select(static (file, _) => file.Path)
            .Collect()
            .Select(static (paths, _) => ShadowedPaths(paths))
            .WithTrackingName(StepNames.ShadowedFiles);

        var catalog = parsed
            .Select(static (file, _) => new CatalogFile(file.Path, file.HintName, file.CatalogEntries))
            .WithTrackingName(StepNames.CatalogEntries)
            .Collect()
            .Combine(ns)
            .Select(static (pair, _) => CatalogBuilder.Build(pair.Left, pair.Right))
            .WithTrackingName(StepNames.Catalog);

        // Registers the catalog rejected (a type name twice would not compile); only names, so edits that
        // keep them stay Unchanged here and do not re-emit other files.
        var dropped = catalog.Select(static (result, _) => result.Dropped).WithTrackingName(StepNames.DroppedRegisters);

        // Source: only the register models, so a comment or a moved line re-reports but does not re-emit.
        var sources = parsed
            .Select(static (file, _) => new RegisterFileModel(file.HintName, FileName(file.Path), file.Path, file.Registers))
            .WithTrackingName(StepNames.RegisterSources)
            .Combine(ns)
            .Combine(shadowed)
            .Combine(dropped);
        context.RegisterSourceOutput(sources, static (spc, input) =>
        {
            var (((file, targetNamespace), shadowedPaths), droppedRegisters) = input;
            if (!shadowedPaths.Contains(file.SourcePath))
            {
                EmitFile(spc, WithoutDropped(file, droppedRegisters), targetNamespace);
            }
        });

        var fileDiagnostics = parsed
            .Select(static (file, _) => file.Diagnostics)
            .WithTrackingName(StepNames.FileDiagnostics);
        context.RegisterSourceOutput(fileDiagnostics, static (spc, diagnostics) => Report(spc, diagnostics));

        var catalogSource = catalog.Select(static (result, _) => result.Source).WithTrackingName(StepNames.CatalogSource);
        context.RegisterSourceOutput(catalogSource, static (spc, model) =>
        {
            if (model.Entries.Count > 0)
            {
                spc.AddSource(CatalogEmitter.HintName, SourceText.From(CatalogEmitter.Emit(model), System.Text.Encoding.UTF8));
            }
        });

        var catalogDiagnostics = catalog.Select(static (result, _) => result.Diagnostics).WithTrackingName(StepNames.CatalogDiagnostics);
        context.RegisterSourceOutput(catalogDiagnostics, static (spc, diagnostics) => Report(spc, diagnostics));
    }

    private static void EmitFile(SourceProductionContext spc, RegisterFileModel file, string ns)
    {
        if (file.Registers.Count == 0)
        {
            return;
        }

        spc.AddSource(file.HintName, SourceText.From(RegisterEmitter.Emit(file, ns), System.Text.Encoding.UTF8));
    }

    private static RegisterFileModel WithoutDropped(RegisterFileModel file, EquatableArray<DroppedRegister> dropped)
    {
        if (!dropped.Any(d => d.Path == file.SourcePath))
        {
            return file;
        }

        var kept = file.Registers.Where(r => !dropped.Contains(new DroppedRegister(file.SourcePath, r.Name)));
        return file with { Registers = kept.ToEquatableArray() };
    }

    /// <summary>Paths whose hint name an ordinally earlier path already has (MSRGEN9015 is reported at them).</summary>
    private static EquatableArray<string> ShadowedPaths(System.Collections.Immutable.ImmutableArray<string> paths)
    {
        var owners = new System.Collections.Generic.HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var shadowed = new System.Collections.Generic.List<string>();
        foreach (string path in paths.OrderBy(p => p, StringComparer.Ordinal))
        {
            if (!owners.Add(DefinitionParser.HintNameFor(path)))
            {
                shadowed.Add(path);
            }
        }

        return shadowed.ToEquatableArray();
    }

    private static void Report(SourceProductionContext spc, EquatableArray<DiagnosticInfo> diagnostics)
    {
        foreach (var info in diagnostics)
        {
            spc.ReportDiagnostic(GeneratorDiagnostics.ToDiagnostic(info));
        }
    }

    private static bool IsNamespace(string? value) =>
        !string.IsNullOrWhiteSpace(value) &&
        value!.Trim().Split('.').All(part => part.Length > 0 && (char.IsLetter(part[0]) || part[0] == '_') && part.All(c => char.IsLetterOrDigit(c) || c == '_'));

    private static string FileName(string path)
    {
        string normalized = path.Replace('\\', '/');
        int slash = normalized.LastIndexOf('/');
        return slash >= 0 ? normalized.Substring(slash + 1) : normalized;
    }
}
