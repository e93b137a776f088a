using System;
using System.Collections.Generic;
using MsrGen.Registers;
using Sample.Registers;

namespace Sample;

/// <summary>
/// Uses the register generated from definitions/sample-trace.msr together with a register of the
/// MsrGen.Registers package, through a small in-memory MSR bus. The lines it prints are checked by
/// tests/MsrGen.Analyzers.Tests (SampleEndToEndTests).
/// </summary>
public static class Program
{
    public static int Main()
    {
        var v1 = new PmuCaps(CpuVendor.Intel, Version: 1, GpCounters: 2, FixedCounters: 0, GpWidth: 40, FixedWidth: 0,
            PerfCapabilities: 0, LbrDepth: 0, Features: PmuFeatures.None);
        var v2 = v1 with { Version = 2, GpCounters = 4, FixedCounters = 3, GpWidth = 48, FixedWidth = 48 };

        var trace = MsrSampleTraceCtl.Zero.WithEnable(true).WithLevel(5).WithBufferPages(64);
        Console.WriteLine("address: 0x" + MsrSampleTraceCtl.Address.ToString("X"));
        Console.WriteLine("value: " + trace);
        Console.WriteLine("reserved v1: 0x" + MsrSampleTraceCtl.ReservedMask(v1).ToString("X16"));
        Console.WriteLine("reserved v2: 0x" + MsrSampleTraceCtl.ReservedMask(v2).ToString("X16"));
        Console.WriteLine("global sync on v1: " + MsrSampleTraceCtl.CheckReserved(trace.WithGlobalSync(true).Value, v1));

        var bus = new MemoryBus();
        Console.WriteLine("write: " + bus.Write(trace));
        bus.Read(out MsrSampleTraceCtl back);
        Console.WriteLine("read back: level=" + back.Level + " pages=" + back.BufferPages + " enabled=" + back.Enable);

        if (v2.Version >= 2)
        {
            bus.Write(Ia32PerfGlobalCtrl.Reset(v2));
            bus.Read(out Ia32PerfGlobalCtrl ctrl);
            Console.WriteLine("library register: " + ctrl);
        }

        return back == trace ? 0 : 1;
    }

    /// <summary>MSRs as a dictionary: unknown addresses read as 0 (enough for a sample).</summary>
    private sealed class MemoryBus : IMsrBus
    {
        private readonly Dictionary<uint, ulong> _values = new();

        public MsrAccessResult ReadMsr(uint address, out ulong value)
        {
            _values.TryGetValue(address, out value);
            return MsrAccessResult.Ok;
        }

        public MsrAccessResult WriteMsr(uint address, ulong value)
        {
            _values[address] = value;
            return MsrAccessResult.Ok;
        }
    }
}
