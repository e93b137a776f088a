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
}
