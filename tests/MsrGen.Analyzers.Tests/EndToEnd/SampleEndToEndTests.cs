using System;
using System.IO;
using System.Threading.Tasks;
using MsrGen.Analyzers.Tests.Infrastructure;

namespace MsrGen.Analyzers.Tests.EndToEnd;

/// <summary>
/// Packs MsrGen.Registers and MsrGen, builds tests/MsrGen.Sample from those packages (private package
/// cache, so never a stale 0.1.0) and runs it: the register from the sample's own .msr file is a
/// usable type, the analyzers from the package are quiet on its correct code, and the output matches.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class SampleEndToEndTests
{
    [TestMethod]
    [Timeout(900_000, CooperativeCancellation = true)]
    public async Task Sample_BuiltFromThePackedPackages_RunsAndDecodesItsOwnRegister()
    {
        string root = AnalyzerReleasesTests.RepositoryRoot();
        var result = await DotnetProcess.RunAsync(
            "bash",
            new[] { Path.Combine(root, "tests", "MsrGen.Sample", "build-sample.sh") },
            root,
            TimeSpan.FromMinutes(14));

        Assert.AreEqual(0, result.ExitCode, "pack, build or run of the sample failed:\n" + result.Output);
        string output = result.Output;
        // Pack is incremental (an unchanged project is not re-packed and prints nothing), so check what
        // it leaves: both packages in the local source, and the sample restored from exactly those
        // into its private cache.
        foreach (string packageId in new[] { "MsrGen", "MsrGen.Registers" })
        {
            string id = packageId.ToLowerInvariant();
            Assert.IsTrue(File.Exists(Path.Combine(root, "artifacts", "packages", packageId + ".0.1.0.nupkg")), packageId + " was packed");
            Assert.IsTrue(Directory.Exists(Path.Combine(root, "artifacts", "sample-nuget-cache", id, "0.1.0")), packageId + " was restored from the local folder");
        }

        StringAssert.Contains(output, "0 Warning(s)", "the sample builds warning-free with the packaged analyzers");
        StringAssert.Contains(output, "address: 0x4B564DF0");
        // The decoded fields, in whatever order the generator's ToString puts them.
        string value = LineStartingWith(output, "value: ");
        foreach (string token in new[] { "MSR_SAMPLE_TRACE_CTL = 0x000000000004000B", " BUFFER_PAGES=0x40", " LEVEL=0x5", " ENABLE" })
        {
            StringAssert.Contains(value, token);
        }

        StringAssert.Contains(output, "reserved v1: 0xFFFFFFFFFF000FE0");
        StringAssert.Contains(output, "reserved v2: 0xFFFFFFFFFF000FC0");
        StringAssert.Contains(output, "global sync on v1: MSR_SAMPLE_TRACE_CTL: value 0x4002B sets reserved bits 0x20 (bit 5)");
        StringAssert.Contains(output, "write: Ok");
        StringAssert.Contains(output, "read back: level=5 pages=64 enabled=True");
        string library = LineStartingWith(output, "library register: ");
        StringAssert.Contains(library, "IA32_PERF_GLOBAL_CTRL = 0x000000000000000F");
        StringAssert.Contains(library, "EN_PMC=0b1111");

        string cache = Path.Combine(root, "artifacts", "sample-nuget-cache", "msrgen", "0.1.0", "analyzers", "dotnet", "cs");
        foreach (string dll in new[] { "MsrGen.Generator.dll", "MsrGen.Analyzers.dll", "MsrGen.Analyzers.CodeFixes.dll" })
        {
            Assert.IsTrue(File.Exists(Path.Combine(cache, dll)), dll + " is restored from the MsrGen package into the private cache");
        }

        string package = Path.Combine(root, "artifacts", "sample-nuget-cache", "msrgen", "0.1.0");
        foreach (string props in new[] { "build/MsrGen.props", "buildTransitive/MsrGen.props" })
        {
            Assert.IsTrue(File.Exists(Path.Combine(package, props)), props + " is in the MsrGen package");
        }

        Assert.IsFalse(Directory.Exists(Path.Combine(package, "lib")), "the MsrGen package has no library of its own");
        Assert.IsTrue(
            Directory.Exists(Path.Combine(root, "artifacts", "sample-nuget-cache", "msrgen.registers", "0.1.0", "lib", "net10.0")),
            "MsrGen.Registers is restored as the dependency of MsrGen");
    }

    private static string LineStartingWith(string output, string prefix)
    {
        foreach (string line in output.Split('\n'))
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line.TrimEnd('\r');
            }
        }

        Assert.Fail($"no line starts with '{prefix}':\n{output}");
        return "";
    }
}
