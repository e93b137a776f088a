using System.Globalization;
using System.IO;
using System.Text;
using BenchmarkDotNet.Attributes;
using MsrGen.Runtime.Traces;

namespace MsrGen.Benchmarks.Traces;

/// <summary>
/// <c>msrgen trace decode</c> on a 200,000-line ftrace file (PMU writes, reads, RDPMCs, a
/// scheduler event and a non-PMU MSR mixed as in a perf record trace) against reading the same
/// file line by line with StreamReader.ReadLine in the same run. The target: decoding within 5x of
/// the plain read. Decoded text goes to a StreamWriter over Stream.Null (formatted and encoded, not stored).
/// </summary>
[MemoryDiagnoser]
public class TraceDecodeBenchmarks
{
    private const int Lines = 200_000;
    private string _path = "";
    private TraceGuest _guest = null!;

    [GlobalSetup]
    public void Setup()
    {
        _path = Path.Combine(Path.GetTempPath(), "msrgen-bench-trace.txt");
        var text = new StringBuilder();
        string[] payloads =
        [
            "write_msr: 38f, value 0",
            "read_msr: 38e, value 200000001",
            "rdpmc: 40000001, value {0:x}",
            "write_msr: 30a, value ffffffd9da60",
            "rdpmc: 0, value {0:x}",
            "write_msr: c1, value fffffff6d840",
            "write_msr: 390, value 200000001",
            "write_msr: 38f, value 70000000f",
            "sched_switch: prev_comm=yes prev_pid=2211 prev_prio=120 prev_state=R ==> next_comm=perf next_pid=2210 next_prio=120",
            "write_msr: 6e0, value 2f1b7e9c4d",
        ];
        for (int i = 0; i < Lines; i++)
        {
            ulong ns = 612_000_000_000UL + (ulong)i * 2500;
            string payload = string.Format(CultureInfo.InvariantCulture, payloads[i % payloads.Length], 150 + i % 97);
            text.Append(CultureInfo.InvariantCulture, $"{"yes",16}-{2211 + i % 2,-7} [{i % 2:D3}] d.h1. {ns / 1_000_000_000,5}.{ns % 1_000_000_000 / 1000:D6}: {payload}\n");
        }

        File.WriteAllText(_path, text.ToString());
        _guest = TraceGuest.Create("skylake-server", [], out _)!;
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(_path);

    [Benchmark(Baseline = true)]
    public int ReadLines()
    {
        using var reader = new StreamReader(_path);
        int n = 0;
        while (reader.ReadLine() is not null)
        {
            n++;
        }

        return n;
    }

    [Benchmark]
    public int Decode()
    {
        using var reader = TraceReader.Open(_path);
        using var output = new StreamWriter(Stream.Null);
        return TraceDecodeRun.Run(reader, new TraceDecoder(_guest), output, TextWriter.Null);
    }

    [Benchmark]
    public int DecodeSummaryOnly()
    {
        using var reader = TraceReader.Open(_path);
        return TraceDecodeRun.Run(reader, new TraceDecoder(_guest), TextWriter.Null, TextWriter.Null, lines: false);
    }
}
