using System;
using MsrGen.Registers;
using Xunit;

namespace MsrGen.Generator.Tests.Semantics;

/// <summary>
/// The register library's hot paths allocate nothing: catalog lookup, reserved masks, typed field access and
/// the intercept check. Allocation is counted on the current thread, which is deterministic (unlike time);
/// the benchmarks' memory diagnoser reports the same.
/// </summary>
public sealed class AllocationTests
{
    private const int Rounds = 10_000;

    private static readonly uint[] Addresses =
    {
        0x38F, 0x38E, 0x390, 0x186, 0x189, 0xC1, 0xC4, 0x309, 0x30B, 0x4C1, 0x1D9, 0x14CE, 0x680, 0xDDF,
        0xC0010200, 0xC001020B, 0xC0000300, 0x4B564D05, 0xC9, 0x12345, 0xFFFFFFFF,
    };

    /// <summary>
    /// Bytes allocated by <see cref="Rounds"/> calls, the least of three passes. The runtime itself may
    /// allocate once on this thread while a pass runs (tiered compilation starting its background
    /// worker when call counting completes); a path that really allocates does so in every pass,
    /// so taking the least pass hides no allocation of the code under test.
    /// </summary>
    private static long AllocatedBy(Func<ulong> work)
    {
        work(); // first call: static constructors and JIT, which may allocate once
        long least = long.MaxValue;
        for (int pass = 0; pass < 3; pass++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            ulong sink = 0;
            for (int i = 0; i < Rounds; i++)
            {
                sink += work();
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
            Assert.NotEqual(0UL, sink);
        }

        return least;
    }

    [Fact]
    public void Catalog_lookup_allocates_nothing()
    {
        long allocated = AllocatedBy(() =>
        {
            ulong found = 0;
            foreach (uint address in Addresses)
            {
                if (MsrCatalog.TryFind(address, MsrProfile.Upstream, out var register))
                {
                    found += (ulong)register.Index + 1;
                }

                if (MsrCatalog.TryFind(address, MsrProfile.PvLbr2018, out register))
                {
                    found += (ulong)register.Id;
                }
            }

            return found;
        });

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Reserved_masks_allocate_nothing()
    {
        var intel = Caps.Intel(gp: 8, fixedCounters: 4, features: PmuFeatures.Pdcm | PmuFeatures.Tsx);
        var amd = Caps.Amd();
        long allocated = AllocatedBy(() =>
        {
            ulong sum = 0;
            for (int n = 0; n < 8; n++)
            {
                sum += Ia32Perfevtsel.ReservedMask(intel, n);
            }

            sum += Ia32PerfGlobalCtrl.ReservedMask(intel);
            sum += Ia32FixedCtrCtrl.ReservedMask(intel);
            sum += Ia32PerfGlobalStatus.ReservedMask(intel);
            sum += MsrF15hPerfCtl.ReservedMask(amd, 3);
            return sum;
        });

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Typed_field_access_allocates_nothing()
    {
        ulong seed = 0x3C;
        long allocated = AllocatedBy(() =>
        {
            ulong sum = 0;
            var ctrl = Ia32PerfGlobalCtrl.Zero;
            var fixedCtrl = Ia32FixedCtrCtrl.Zero;
            for (int n = 0; n < 8; n++)
            {
                var evtsel = Ia32Perfevtsel.Zero
                    .WithEventSelect((byte)(seed + (ulong)n))
                    .WithUmask((byte)n)
                    .WithCmask(3)
                    .WithUsr(true)
                    .WithEn(true);
                ctrl = ctrl.WithEnPmc(n, true).WithEnFixed(n, n % 2 == 0);
                fixedCtrl = fixedCtrl.WithFixedPmi(n, true);
                sum += evtsel.EventSelect + (ulong)evtsel.Umask + evtsel.Cmask + (evtsel.En ? 1UL : 0)
                    + (ctrl.EnPmc(n) ? 1UL : 0) + (fixedCtrl.FixedPmi(n) ? 1UL : 0) + ctrl.EnFixedBits;
            }

            return sum;
        });

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Intercept_checks_allocate_nothing()
    {
        var guest = Caps.Intel();
        var host = guest with { GpCounters = 8 };
        var vmx = MsrCatalog.BuildVmxBitmap(VpmuMode.Mediated, guest, host, MsrProfile.Upstream);
        var amd = Caps.Amd();
        var svm = MsrCatalog.BuildSvmPermissionMap(VpmuMode.Mediated, amd, amd, MsrProfile.Upstream);
        long allocated = AllocatedBy(() =>
        {
            ulong exits = 0;
            foreach (uint address in Addresses)
            {
                exits += vmx.Intercepts(address, write: false) ? 1UL : 0;
                exits += vmx.Intercepts(address, write: true) ? 1UL : 0;
                exits += svm.Intercepts(address, write: true) ? 1UL : 0;
            }

            return exits;
        });

        Assert.Equal(0, allocated);
    }
}
