using System;
using System.IO;
using MsrGen.Cli;
using static MsrGen.Runtime.Tests.Traces.TraceText;

namespace MsrGen.Runtime.Tests.Traces;

[TestClass]
public sealed class TraceCliTests
{
    internal static (int Exit, string Output, string Errors) Run(params string[] args)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        int exit = Program.Run(args, output, errors);
        return (exit, output.ToString(), errors.ToString());
    }

    internal static string TempTrace(string text)
    {
        string path = Path.Combine(Path.GetTempPath(), "msrgen-trace-" + Guid.NewGuid().ToString("N") + ".txt");
        File.WriteAllText(path, text);
        return path;
    }

    [TestMethod]
    public void Trace_decode_prints_lines_and_a_summary()
    {
        string path = TempTrace(FtraceHeader
            + Ftrace("perf", 9, 2, "d..1.", 1_000_000, "write_msr", MsrPayload(0x186, 0x4300c0)) + "\n"
            + Ftrace("perf", 9, 2, "d..1.", 2_000_000, "write_msr", MsrPayload(0x38f, 0x1)) + "\n");
        try
        {
            var (exit, output, _) = Run("trace", "decode", path, "--cpu", "skylake-server", "--guest", "gp=2");

            Assert.AreEqual(0, exit, output);
            StringAssert.Contains(output, "IA32_PERFEVTSEL0 (MSR_ARCH_PERFMON_EVENTSEL0)");
            StringAssert.Contains(output, "[instructions]");
            StringAssert.Contains(output, "== Summary");
            StringAssert.Contains(output, "2 GP x 48 bits");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    [DataRow("trace", "decode", "/nonexistent/trace.txt")]
    [DataRow("trace", "decode", "/nonexistent/trace.txt", "--cpu", "pentium4")]
    [DataRow("trace", "decode", "/nonexistent/trace.txt", "--guest", "gp=lots")]
    public void Bad_arguments_are_one_line_and_exit_code_2(params string[] args)
    {
        var (exit, _, errors) = Run(args);

        Assert.AreEqual(2, exit);
        Assert.AreEqual(1, errors.TrimEnd().Split('\n').Length, errors);
    }
}
