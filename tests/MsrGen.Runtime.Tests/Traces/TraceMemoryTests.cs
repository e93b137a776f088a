using System;
using System.IO;
using MsrGen.Runtime.Traces;

namespace MsrGen.Runtime.Tests.Traces;

/// <summary>
/// Bounded memory: reading allocates nothing per line, and what decoding and replaying keep does
/// not grow with the trace's length (the same state after 10x more lines). Allocation counts, not
/// times: the speed target is a BenchmarkDotNet benchmark (TraceDecodeBenchmarks). Not run in
/// parallel with other tests, whose allocations would show in the process-wide heap.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class TraceMemoryTests
{
    private const long Slack = 256 * 1024;

    [TestMethod]
    public void Reading_a_million_lines_allocates_nothing_per_line()
    {
        using var warm = new TraceReader(new GeneratedTrace(1000));
        while (warm.TryRead(out _))
        {
        }

        using var reader = new TraceReader(new GeneratedTrace(1_000_000));
        long before = GC.GetAllocatedBytesForCurrentThread();
        long accesses = 0;
        while (reader.TryRead(out _))
        {
            accesses++;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.AreEqual(875_000, accesses); // 7 of every 8 lines are MSR accesses
        Assert.AreEqual(125_000, reader.Stats.OtherEvents);
        Assert.IsTrue(allocated < Slack, $"{allocated} bytes allocated for 1,000,000 lines");
    }

    [TestMethod]
    public void What_decoding_keeps_does_not_grow_with_the_trace()
    {
        var guest = TraceGuest.Create("skylake-server", [], out _)!;
        var probe = new HeapProbe();
        using var reader = new TraceReader(new GeneratedTrace(2_000_000));

        int exit = TraceDecodeRun.Run(reader, new TraceDecoder(guest), TextWriter.Null, TextWriter.Null, probe.Sample);

        Assert.AreEqual(0, exit);
        probe.AssertFlat();
    }

    [TestMethod]
    public void What_replaying_keeps_does_not_grow_with_the_trace()
    {
        var guest = TraceGuest.Create("skylake-server", [], out _)!;
        var options = TraceReplayOptions.Bare with { Designs = TraceDesign.Select(["legacy", "mediated:run-loop"], out _)! };
        var probe = new HeapProbe();

        var result = TraceReplay.Run("generated", () => new TraceReader(new GeneratedTrace(400_000)), guest, options, probe.Sample);

        Assert.AreEqual(400_000 / 8 * 6, result.PmuAccesses);
        probe.AssertFlat();
    }

    /// <summary>
    /// The live heap after a full collection, sampled every megabyte of input during one run: the
    /// first tenth is warm-up (JIT tiers, first-use caches), after which no sample may exceed the
    /// first by more than the slack.
    /// </summary>
    private sealed class HeapProbe
    {
        private readonly long[] _samples = new long[4096];
        private int _count;

        public void Sample(long position, long length)
        {
            if (_count < _samples.Length)
            {
                _samples[_count++] = GC.GetTotalMemory(forceFullCollection: true);
            }
        }

        public void AssertFlat()
        {
            Assert.IsTrue(_count >= 20, $"only {_count} samples");
            int from = _count / 10;
            long max = long.MinValue;
            for (int i = from; i < _count; i++)
            {
                max = Math.Max(max, _samples[i]);
            }

            // Growth is the failure; the heap may shrink (first-use objects released).
            Assert.IsTrue(max - _samples[from] < Slack, $"live heap grew by {max - _samples[from]} bytes over {_count - from} samples (from {_samples[from]})");
        }
    }
}
