using System;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using MsrGen.Generator.Tests.Infrastructure;

namespace MsrGen.Generator.Tests.Diagnostics;

/// <summary>The published docs location, read from Directory.Build.props the way MSBuild expands it.</summary>
internal static class PublishedDocs
{
    public static string Url { get; } = Read();

    private static string Read()
    {
        var props = XDocument.Load(Path.Combine(TestPaths.RepositoryRoot, "Directory.Build.props"));
        string Value(string name) => props.Descendants(name).First().Value;
        return Value("MsrGenDocsUrl").Replace("$(MsrGenRepositoryUrl)", Value("MsrGenRepositoryUrl"), StringComparison.Ordinal);
    }
}
