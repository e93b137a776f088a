using System.IO;
using MsrGen.Cli;

namespace MsrGen.Runtime.Tests.Cli;

[TestClass]
public sealed class CliTests
{
    private static (int Exit, string Output, string Errors) Run(params string[] args)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        int exit = Program.Run(args, output, errors);
        return (exit, output.ToString(), errors.ToString());
    }

    [TestMethod]
    public void ListShowsTheCatalog()
    {
        var (exit, output, _) = Run("list");
        Assert.AreEqual(0, exit);
        StringAssert.Contains(output, "IA32_PERF_GLOBAL_CTRL");
        StringAssert.Contains(output, "0xC1+n");
        StringAssert.Contains(output, "MSR_F15H_PERF_CTL{n}");
        StringAssert.Contains(output, "MSR_CORE_PERF_GLOBAL_CTRL");
    }

    [TestMethod]
    public void DecodeShowsFieldsAndFaultingReservedBits()
    {
        var (exit, output, _) = Run("decode", "IA32_PERFEVTSEL0", "0x6300c0");
        Assert.AreEqual(0, exit);
        StringAssert.Contains(output, "EN");
        StringAssert.Contains(output, "sets reserved bit 21");
        StringAssert.Contains(output, "#GP");
    }

    [TestMethod]
    public void DecodeAcceptsTheKernelsNameAndShowsIt()
    {
        // msr-index.h: MSR_ARCH_PERFMON_EVENTSEL1 (perf_event.h) and MSR_P6_EVNTSEL1 are 0x187, IA32_PERFEVTSEL1.
        var (exit, output, _) = Run("decode", "msr_arch_perfmon_eventsel1", "0x4300c0");
        Assert.AreEqual(0, exit);
        StringAssert.Contains(output, "IA32_PERFEVTSEL1");
        StringAssert.Contains(output, "address 0x187");
        StringAssert.Contains(output, "also known as MSR_P6_EVNTSEL1, MSR_ARCH_PERFMON_EVENTSEL1");
    }

    [TestMethod]
    public void DecodeOnAmdSaysReservedBitsAreDropped()
    {
        var (exit, output, _) = Run("decode", "0xc0010200", "0x10000530076", "--cpu", "zen4");
        Assert.AreEqual(0, exit);
        StringAssert.Contains(output, "dropped");
    }

    [TestMethod]
    [DataRow("decode", "NO_SUCH_MSR", "1")]
    [DataRow("decode", "0x186", "banana")]
    [DataRow("decode", "0x186", "1", "--cpu", "pentium4")]
    [DataRow("frobnicate")]
    [DataRow("run")]
    public void BadInputIsOneLineAndExitCodeTwo(params string[] args)
    {
        var (exit, _, errors) = Run(args);
        Assert.AreEqual(2, exit);
        Assert.AreEqual(1, errors.TrimEnd().Split('\n').Length, errors);
        Assert.IsFalse(errors.Contains("   at ", System.StringComparison.Ordinal), "no stack trace");
    }

    [TestMethod]
    [DataRow("_1")]
    [DataRow("1_")]
    [DataRow("0_x10")]
    [DataRow("0x_10")]
    public void DecodeReadsNumbersLikeScenarios(string value)
    {
        // The scenario lexer rejects these; decode shares its number lexer.
        var (exit, _, errors) = Run("decode", "IA32_PERFEVTSEL0", value);
        Assert.AreEqual(2, exit);
        StringAssert.Contains(errors, $"'{value}' is not a 64-bit number");
    }

    [TestMethod]
    public void AFailedExpectationIsExitCodeOneThroughTheCli()
    {
        var path = Path.Combine(Path.GetTempPath(), $"msrgen-cli-{System.Guid.NewGuid():N}.pmu");
        File.WriteAllText(path, "vm vpmu=emulated\nexpect exits == 5\n");
        try
        {
            var (exit, output, _) = Run("run", path);
            Assert.AreEqual(1, exit, output);
            StringAssert.Contains(output, $"{path}:2: expected exits == 5, got 0");
            StringAssert.Contains(output, "1 scenarios, 1 expectations, 1 failed");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void ARefusedVmLineIsExitCodeOneThroughTheCli()
    {
        var path = Path.Combine(Path.GetTempPath(), $"msrgen-cli-{System.Guid.NewGuid():N}.pmu");
        File.WriteAllText(path, "host sapphire-rapids mediated=off\nvm vpmu=mediated\n");
        try
        {
            var (exit, output, _) = Run("run", path);
            Assert.AreEqual(1, exit, output);
            StringAssert.Contains(output, $"{path}:2: expected success");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void TheWorkLimitIsAnOption()
    {
        var path = Path.Combine(Path.GetTempPath(), $"msrgen-cli-{System.Guid.NewGuid():N}.pmu");
        // A host sampling event with period 1 overflows on every one of 5000 cycles: each overflow is
        // a PMI perf handles, real per-event work that the limit meters.
        File.WriteAllText(path, "vm vpmu=emulated\nhost perf open s cycles period=1\nhost run cycles=5000\n");
        try
        {
            var (limited, output, _) = Run("run", path, "--work-limit", "1000");
            Assert.AreEqual(2, limited, output);
            StringAssert.Contains(output, $"{path}:3:1: error: this statement needs ");
            StringAssert.Contains(output, "--work-limit");
            var (raised, output2, _) = Run("run", path, "--work-limit", "10000");
            Assert.AreEqual(0, raised, output2);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void RunOfMissingFileIsMalformed()
    {
        var (exit, output, _) = Run("run", "/nonexistent/file.pmu");
        Assert.AreEqual(2, exit);
        StringAssert.Contains(output, "/nonexistent/file.pmu:1:1: error:");
    }

    [TestMethod]
    public void DefaultReportRunsTheEmbeddedScenarios()
    {
        var (exit, output, _) = Run();
        Assert.AreEqual(0, exit, output);
        StringAssert.StartsWith(output, "msrgen: PASS: all ");
        StringAssert.Contains(output, "Guest LBR strategies");
    }
}
