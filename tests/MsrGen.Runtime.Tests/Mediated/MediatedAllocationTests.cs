using System;

namespace MsrGen.Runtime.Tests.Mediated;

/// <summary>The runtime's world switch allocates nothing once warmed up (the benchmark's target, checked here too).</summary>
[TestClass]
public sealed class MediatedAllocationTests
{
    [TestMethod]
    [DataRow("exit")]
    [DataRow("run-loop")]
    [DataRow("dirty-only")]
    public void A_switch_allocates_nothing(string placement)
    {
        var h = new MediatedHarness(MediatedHarness.IntelHost, placement);
        h.OpenHostInstructions("host", disabled: false);
        h.GuestCountInstructions(0, interrupt: true);
        h.Vcpu.GuestExits(0, 10);
        h.Vcpu.GuestExits(10, 0);

        // The least of several passes, as the generator's allocation tests do: a one-off
        // allocation by the runtime itself (tiering, a lazily built table) does not count, a
        // per-switch allocation shows in every pass.
        long allocated = long.MaxValue;
        for (int pass = 0; pass < 5; pass++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            // One exit per call: a long run would take the closed form (Vcpu.Repeat.cs), which
            // measures two exits and adds the rest, and this test is about each real switch.
            for (int i = 0; i < 200; i++)
            {
                h.Vcpu.GuestExits(0, 1);
                h.Vcpu.GuestExits(1, 0);
            }
            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.AreEqual(0L, allocated, $"{placement}: {allocated} bytes over 400 exits (least of 5 passes)");
        // Counter 0 counts instructions, so every fastpath exit bails out and switches too:
        // 5 passes x 400 exits put at least once each under all three placements.
        Assert.IsTrue(h.Pmu.Puts >= 2000, $"{placement}: the loop really switched ({h.Pmu.Puts} puts)");
    }
}
