using MsrGen.Registers;
using MsrGen.Runtime.Hardware;

namespace MsrGen.Runtime.Tests.Hardware;

[TestClass]
public sealed class PresetAndBatchTests
{
    [TestMethod]
    [DataRow("intel-v2", 2, 4, 3)]
    [DataRow("skylake-server", 4, 4, 3)]
    [DataRow("icelake-server", 5, 8, 4)]
    [DataRow("sapphire-rapids", 5, 8, 4)]
    [DataRow("zen4", 2, 6, 0)]
    public void PresetsDescribeTheirCpu(string name, int version, int gp, int fixedCount)
    {
        Assert.IsTrue(PmuPresets.TryGet(name, out var model));
        Assert.AreEqual(version, model.Caps.Version);
        Assert.AreEqual(gp, model.Caps.GpCounters);
        Assert.AreEqual(fixedCount, model.Caps.FixedCounters);
        Assert.AreEqual(48, model.Caps.GpWidth);
    }

    [TestMethod]
    public void NativeAlwaysYieldsAModel()
    {
        var model = PmuPresets.Native();
        Assert.IsTrue(model.Caps.GpCounters > 0 || model.Warning is not null);
    }

    [TestMethod]
    public void UnknownPresetIsRejected() => Assert.IsFalse(PmuPresets.TryGet("pentium4", out _));

    [TestMethod]
    public void BatchPortionsAddUpToTheTotals()
    {
        var batch = new EventBatch().Add(0xC0, 1000).Add(0xC4, 333).WithCycles(777);
        ulong branches = 0, cycles = 0;
        for (ulong s = 0; s < batch.Steps; s += 7)
        {
            ulong next = System.Math.Min(batch.Steps, s + 7);
            branches += EventBatch.Portion(333, next, batch.Steps) - EventBatch.Portion(333, s, batch.Steps);
            cycles += batch.CyclesAt(next) - batch.CyclesAt(s);
        }

        Assert.AreEqual(333UL, branches);
        Assert.AreEqual(777UL, cycles);
    }

    [TestMethod]
    public void NamedEventsEncodePerVendor()
    {
        Assert.AreEqual(0xC4UL, HardwareEvent.Encode(MsrGen.Scenarios.EventKind.Branches, CpuVendor.Intel));
        Assert.AreEqual(0xC2UL, HardwareEvent.Encode(MsrGen.Scenarios.EventKind.Branches, CpuVendor.Amd));
        Assert.AreEqual(HardwareEvent.Undefined, HardwareEvent.Encode(MsrGen.Scenarios.EventKind.RefCycles, CpuVendor.Amd));
        // perf's PERF_COUNT_HW_REF_CPU_CYCLES on Intel is the pseudo-encoding 0x0300 (fixed counter 2
        // only); the architectural event 0x3C/0x01 is a GP event that fixed counter 2 also counts.
        Assert.AreEqual(2, HardwareEvent.FixedCounterFor(0x0300));
        Assert.AreEqual(-1, HardwareEvent.FixedCounterFor(0x013C));
        Assert.AreEqual(0x013CUL, HardwareEvent.FixedCounterEvent(2));
        Assert.AreEqual(0x0300UL, HardwareEvent.KvmFixedEventSelect(2));
        Assert.AreEqual(0x0300UL, HardwareEvent.EncodeForPerf(MsrGen.Scenarios.EventSpec.Named(MsrGen.Scenarios.EventKind.RefCycles), CpuVendor.Intel));
    }
}
