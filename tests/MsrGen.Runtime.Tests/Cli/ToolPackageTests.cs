using System;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Xml.Linq;

namespace MsrGen.Runtime.Tests.Cli;

/// <summary>
/// msrgen is a real .NET tool: packed from the repository, installed into a temporary tool path from
/// the local package folder, and run; the packages carry their metadata, symbols, docs and readme.
/// </summary>
[TestClass]
public sealed class ToolPackageTests
{
    private static readonly Lazy<string> PackageFolder = new(PackAll);

    private static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    private static (int Exit, string Output) RunDotnet(string workingDirectory, params string[] args) => Exec(Dotnet, workingDirectory, args);

    private static (int Exit, string Output) Exec(string program, string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }

    private static string PackAll()
    {
        string root = TestSupport.RepositoryRoot();
        string folder = Path.Combine(Path.GetTempPath(), "msrgen-packages-" + Guid.NewGuid().ToString("N"));
        foreach (string project in new[] { "runtime/MsrGen.Cli/MsrGen.Cli.csproj", "registers/MsrGen.Registers/MsrGen.Registers.csproj" })
        {
            var (exit, output) = RunDotnet(root, "pack", project, "-c", "Release", "-o", folder, "--no-restore");
            Assert.AreEqual(0, exit, output);
        }

        return folder;
    }

    private static XElement Nuspec(string package)
    {
        using var zip = ZipFile.OpenRead(package);
        var entry = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var stream = entry.Open();
        return XDocument.Load(stream).Root!;
    }

    private static string Element(XElement nuspec, string name) =>
        nuspec.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value ?? "";

    [TestMethod]
    public void The_tool_installs_from_the_local_folder_and_runs()
    {
        string folder = PackageFolder.Value;
        string tools = Path.Combine(Path.GetTempPath(), "msrgen-tools-" + Guid.NewGuid().ToString("N"));
        var (exit, output) = RunDotnet(folder, "tool", "install", "MsrGen.Cli", "--tool-path", tools, "--add-source", folder, "--ignore-failed-sources");
        Assert.AreEqual(0, exit, output);

        string msrgen = Path.Combine(tools, OperatingSystem.IsWindows() ? "msrgen.exe" : "msrgen");
        Assert.IsTrue(File.Exists(msrgen), output);
        string scenario = Path.Combine(TestSupport.RepositoryRoot(), "scenarios", "kut", "pmu-gp-counters.pmu");
        var run = Exec(msrgen, tools, "run", scenario);
        Assert.AreEqual(0, run.Exit, run.Output);
        StringAssert.Contains(run.Output, "0 failed");

        var report = Exec(msrgen, tools, "--charts", Path.Combine(tools, "charts"));
        Assert.AreEqual(0, report.Exit, report.Output);
        StringAssert.StartsWith(report.Output, "msrgen: PASS");
        Directory.Delete(tools, recursive: true);
    }

    [TestMethod]
    public void The_packages_carry_licence_urls_readme_symbols_and_docs()
    {
        string folder = PackageFolder.Value;
        foreach (string id in new[] { "MsrGen.Cli", "MsrGen.Registers" })
        {
            string package = Directory.GetFiles(folder, id + ".*.nupkg").Single(p => !p.EndsWith(".snupkg", StringComparison.Ordinal) && char.IsDigit(Path.GetFileName(p)[id.Length + 1]));
            var nuspec = Nuspec(package);
            Assert.AreEqual(id, Element(nuspec, "id"));
            Assert.AreEqual("MIT", Element(nuspec, "license"), id);
            StringAssert.StartsWith(Element(nuspec, "projectUrl"), "https://", id);
            Assert.IsNotNull(nuspec.Descendants().FirstOrDefault(e => e.Name.LocalName == "repository" && ((string?)e.Attribute("url") ?? "").StartsWith("https://", StringComparison.Ordinal)), id);
            Assert.AreEqual("README.md", Element(nuspec, "readme"), id);
            Assert.IsTrue(File.Exists(Path.ChangeExtension(package, ".snupkg")), $"{id}: symbols package");
        }

        string registers = Directory.GetFiles(folder, "MsrGen.Registers.*.nupkg").Single(p => !p.EndsWith(".snupkg", StringComparison.Ordinal));
        using var zip = ZipFile.OpenRead(registers);
        var docs = zip.Entries.Single(e => e.FullName == "lib/net10.0/MsrGen.Registers.xml");
        using var reader = new StreamReader(docs.Open());
        StringAssert.Contains(reader.ReadToEnd(), "<member name=\"");
        Assert.IsTrue(zip.Entries.Any(e => e.FullName == "README.md"));

        string cli = Directory.GetFiles(folder, "MsrGen.Cli.*.nupkg").Single(p => !p.EndsWith(".snupkg", StringComparison.Ordinal));
        var tool = Nuspec(cli).Descendants().Where(e => e.Name.LocalName == "packageType").Select(e => (string?)e.Attribute("name")).ToList();
        CollectionAssert.Contains(tool, "DotnetTool");
    }
}
