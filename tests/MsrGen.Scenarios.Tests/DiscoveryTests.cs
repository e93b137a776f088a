using System;
using System.IO;
using System.Linq;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MsrGen.Scenarios.Tests;

[TestClass]
public sealed class DiscoveryTests
{
    [TestMethod]
    public void DirectoriesExpandToPmuFilesInOrdinalOrderAndOtherPathsStay()
    {
        var root = Path.Combine(Path.GetTempPath(), "msrgen-discovery-" + Guid.NewGuid().ToString("N"));
        try
        {
            foreach (var file in new[] { "b.pmu", "Z.pmu", "a/z.pmu", "a/b.pmu", "a/deep/c.pmu", "note.txt", "x.pmux", "a/readme.md" })
            {
                var full = Path.Combine(root, file);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                File.WriteAllText(full, "guest pmi\n");
            }

            var single = Path.Combine(root, "note.txt");
            var missing = Path.Combine(root, "missing.pmu");
            var expanded = ScenarioDiscovery.Expand([single, root, missing]);

            var relative = expanded.Select(p => Path.GetRelativePath(root, p).Replace('\\', '/')).ToArray();
            CollectionAssert.AreEqual(
                new[] { "note.txt", "Z.pmu", "a/b.pmu", "a/deep/c.pmu", "a/z.pmu", "b.pmu", "missing.pmu" },
                relative);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    public void AnEmptyDirectoryExpandsToNothing()
    {
        var root = Directory.CreateTempSubdirectory("msrgen-empty-").FullName;
        try
        {
            Assert.IsEmpty(ScenarioDiscovery.Expand([root]));
        }
        finally
        {
            Directory.Delete(root);
        }
    }

    [TestMethod]
    public void AnUnreadableSubdirectoryIsReportedAndTheRestStillRuns()
    {
        // The directory listing is supplied so the test does not depend on running as a user whom
        // file permissions stop (root reads a mode-000 directory anyway).
        var root = Directory.CreateTempSubdirectory("msrgen-locked-").FullName;
        try
        {
            foreach (var file in new[] { "a.pmu", "locked/hidden.pmu", "open/b.pmu" })
            {
                var full = Path.Combine(root, file);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                File.WriteAllText(full, "guest pmi\n");
            }

            var locked = Path.Combine(root, "locked");
            var result = ScenarioDiscovery.Find([root], directory =>
                directory.FullName.TrimEnd(Path.DirectorySeparatorChar) == locked
                    ? throw new UnauthorizedAccessException($"Access to the path '{locked}' is denied.")
                    : directory.EnumerateFileSystemInfos());

            CollectionAssert.AreEqual(
                new[] { "a.pmu", "open/b.pmu" },
                result.Files.Select(p => Path.GetRelativePath(root, p).Replace('\\', '/')).ToArray());
            Assert.HasCount(1, result.Problems);
            Assert.AreEqual(locked, result.Problems[0].Path);
            StringAssert.StartsWith(result.Problems[0].Message, "cannot read the directory: Access to the path");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
