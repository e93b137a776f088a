using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using MsrGen.Registers;

namespace MsrGen.Analyzers.Tests.Infrastructure;

/// <summary>
/// References for test compilations, built once. The testing library's ReferenceAssemblies.Net.*
/// download exact Microsoft.NETCore.App.Ref versions the registry lacks, so the references come from
/// this machine: the SDK's reference pack for the running runtime when installed, else the runtime's
/// own assemblies. MsrGen.Registers.dll is added as a user's project has it.
/// </summary>
internal static class TestReferences
{
    /// <summary>An empty set: every reference is an explicit additional reference.</summary>
    public static ReferenceAssemblies None { get; } = new("net10.0");

    /// <summary>The framework and MsrGen.Registers.dll.</summary>
    public static ImmutableArray<MetadataReference> All { get; } =
        Framework.Add(MetadataReference.CreateFromFile(typeof(PmuCaps).Assembly.Location));

    /// <summary>The framework alone (for compiling the register library's own sources).</summary>
    public static ImmutableArray<MetadataReference> Framework => _framework ??= BuildFramework();

    private static ImmutableArray<MetadataReference>? _framework;

    private static ImmutableArray<MetadataReference> BuildFramework()
    {
        string runtimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        string framework = FindReferencePack(runtimeDirectory) ?? runtimeDirectory;
        var files = Directory.GetFiles(framework, "*.dll")
            .Where(file => IsManagedFrameworkAssembly(Path.GetFileName(file)))
            .OrderBy(file => file, StringComparer.Ordinal);
        return files
            .Select(file => (MetadataReference)MetadataReference.CreateFromFile(file))
            .ToImmutableArray();
    }

    private static string? FindReferencePack(string runtimeDirectory)
    {
        // runtime: <root>/shared/Microsoft.NETCore.App/<version>; pack: <root>/packs/Microsoft.NETCore.App.Ref/<version>/ref/net10.0
        string version = Path.GetFileName(runtimeDirectory);
        string root = Path.GetFullPath(Path.Combine(runtimeDirectory, "..", "..", ".."));
        string pack = Path.Combine(root, "packs", "Microsoft.NETCore.App.Ref", version, "ref", "net10.0");
        return Directory.Exists(pack) ? pack : null;
    }

    private static bool IsManagedFrameworkAssembly(string file) =>
        (file.StartsWith("System.", StringComparison.Ordinal) || file.StartsWith("Microsoft.", StringComparison.Ordinal) ||
         file is "netstandard.dll" or "mscorlib.dll") &&
        !file.StartsWith("Microsoft.DiaSymReader", StringComparison.Ordinal) &&
        !file.StartsWith("System.Private.", StringComparison.Ordinal) || file == "System.Private.CoreLib.dll";
}
