using System;
using System.IO;

namespace MsrGen.Generator.Tests.Infrastructure;

/// <summary>
/// Locations in the source tree. The repository root is found by walking up from the test assembly to the
/// directory holding MsrGen.sln, so tests work from any working directory and also when the compiler maps
/// source paths (a CI build with ContinuousIntegrationBuild=true turns every [CallerFilePath] into /_/...).
/// </summary>
internal static class TestPaths
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string TestProjectDirectory { get; } = Path.Combine(RepositoryRoot, "tests", "MsrGen.Generator.Tests");

    /// <summary>The shipped definition files (registers/definitions).</summary>
    public static string DefinitionsDirectory { get; } = Path.Combine(RepositoryRoot, "registers", "definitions");

    public static string Definition(string fileName) => Path.Combine(DefinitionsDirectory, fileName);

    /// <summary>
    /// The real location of a source file named by [CallerFilePath]. A path the compiler wrote through a
    /// path map ("/_/tests/...") does not exist on disk; its part below the mapped root is re-rooted here.
    /// </summary>
    public static string SourceFile(string callerFilePath)
    {
        if (File.Exists(callerFilePath))
        {
            return callerFilePath;
        }

        string normalized = callerFilePath.Replace('\\', '/');
        int tests = normalized.IndexOf("/tests/", StringComparison.Ordinal);
        if (tests >= 0)
        {
            string candidate = Path.Combine(RepositoryRoot, normalized.Substring(tests + 1));
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("cannot map the test source path to the repository", callerFilePath);
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MsrGen.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("MsrGen.sln not found above " + AppContext.BaseDirectory);
    }
}
