using System.IO;
using System.Runtime.CompilerServices;

namespace MsrGen.Generator.Tests.Infrastructure;

/// <summary>Locations in the source tree, found from this file's own path so tests work from any working directory.</summary>
internal static class TestPaths
{
    public static string TestProjectDirectory { get; } = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ThisFile())!, ".."));

    public static string RepositoryRoot { get; } = Path.GetFullPath(Path.Combine(TestProjectDirectory, "..", ".."));

    /// <summary>The shipped definition files (registers/definitions).</summary>
    public static string DefinitionsDirectory { get; } = Path.Combine(RepositoryRoot, "registers", "definitions");

    public static string Definition(string fileName) => Path.Combine(DefinitionsDirectory, fileName);

    private static string ThisFile([CallerFilePath] string path = "") => path;
}
