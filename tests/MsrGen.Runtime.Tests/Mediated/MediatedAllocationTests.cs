using System;
using MsrGen.Runtime.Mediated;

namespace MsrGen.Runtime.Tests.Mediated;

/// <summary>The world switch allocates nothing once warmed up (the benchmark's target, checked here too).</summary>
[TestClass]
public sealed class MediatedAllocationTests
{
    [TestMethod]
    [DataRow(SwitchPlacement.Exit)]
    [DataRow(SwitchPlacement.RunLoop)]
    [DataRow(SwitchPlacement.DirtyOnly)]
    public void A_switch_allocates_nothing(SwitchPlacement placement)
    {
        var rig = new MediatedRig(MediatedRig.IntelHost, placement);
        var ev = rig.Perf.Open("host", PmuEventSelect.Events.Instructions);
        rig.Perf.Enable(ev);
        rig.GuestCountInstructions(0, interrupt: true);
        rig.Vcpu.GuestExits(10, ExitKind.Slow);
        rig.Vcpu.GuestExits(10, ExitKind.Fastpath);

        // The least of several passes, as the generator's allocation tests do: a one-off
        // allocation by the runtime itself (tiering, a lazily built table) does not count, a
        // per-switch allocation shows in every pass.
        long allocated = long.MaxValue;
        for (int pass = 0; pass < 5; pass++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            rig.Vcpu.GuestExits(200, ExitKind.Slow);
            rig.Vcpu.GuestExits(200, ExitKind.Fastpath);
            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.AreEqual(0L, allocated, $"{placement}: {allocated} bytes over 400 exits (least of 5 passes)");
        Assert.IsTrue(rig.Pmu.Puts >= 1000, $"{placement}: the loop really switched ({rig.Pmu.Puts} puts)");
    }
}
