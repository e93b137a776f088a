using System;
using MsrGen.Runtime.Hardware;

namespace MsrGen.Runtime.Tests.Hardware;

/// <summary>
/// The CMASK / INV / EDGE model (what kvm-unit-tests x86/pmu.c check_gp_counter_cmask observes),
/// checked against a cycle-by-cycle walk: cycle j (1-based) retires floor(N·j / C) − floor(N·(j−1) / C)
/// events; the counter counts qualifying cycles, or with EDGE the qualifying cycles whose previous
/// cycle did not qualify.
/// </summary>
[TestClass]
public sealed class CounterMaskTests
{
    private static ulong Walk(ulong events, ulong cycles, ulong elapsed, uint cmask, bool invert, bool edge)
    {
        ulong count = 0;
        bool previous = false;
        for (ulong j = 1; j <= elapsed; j++)
        {
            ulong retired = events * j / cycles - events * (j - 1) / cycles;
            bool qualifies = invert ? retired < cmask : retired >= cmask;
            if (qualifies && (!edge || !previous))
            {
                count++;
            }

            previous = qualifies;
        }

        return count;
    }

    [TestMethod]
    [DataRow(10UL, 12UL, 2u, false, false)]
    [DataRow(10UL, 12UL, 1u, false, false)]
    [DataRow(10UL, 12UL, 2u, true, false)]
    [DataRow(10UL, 12UL, 1u, false, true)]
    [DataRow(5UL, 12UL, 1u, false, true)]
    [DataRow(30UL, 7UL, 5u, false, false)]
    [DataRow(30UL, 7UL, 5u, true, true)]
    [DataRow(30UL, 7UL, 4u, false, true)]
    [DataRow(0UL, 9UL, 1u, true, true)]
    [DataRow(1000UL, 999UL, 2u, false, true)]
    public void Threshold_counts_match_a_cycle_by_cycle_walk(ulong events, ulong cycles, uint cmask, bool invert, bool edge)
    {
        for (ulong elapsed = 0; elapsed <= cycles; elapsed++)
        {
            Assert.AreEqual(Walk(events, cycles, elapsed, cmask, invert, edge),
                HardwareEvent.ThresholdCount(events, cycles, elapsed, cmask, invert, edge), $"after {elapsed} cycles");
        }
    }

    [TestMethod]
    public void Cmask_counts_cycles_over_any_split_of_the_stretch()
    {
        // 10 instructions over 12 cycles with CMASK=1: 10 busy cycles, however the stretch is cut.
        var batch = new EventBatch().Add(0x00C0, 10).WithCycles(12);
        ulong whole = HardwareEvent.GpCount(0x14300C0, Registers.CpuVendor.Intel, batch, 0, batch.Steps);
        ulong split = 0;
        for (ulong step = 0; step < batch.Steps; step++)
        {
            split += HardwareEvent.GpCount(0x14300C0, Registers.CpuVendor.Intel, batch, step, step + 1);
        }

        Assert.AreEqual(10UL, whole);
        Assert.AreEqual(whole, split);
        Assert.AreEqual(0UL, HardwareEvent.GpCount(0x14300C0, Registers.CpuVendor.Intel, new EventBatch().Add(0x00C0, 10), 0, 10),
            "a stretch without cycles gives a CMASK counter nothing");
    }
}
