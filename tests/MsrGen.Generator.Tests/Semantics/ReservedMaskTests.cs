using System;
using MsrGen.Registers;
using Xunit;

namespace MsrGen.Generator.Tests.Semantics;

/// <summary>Reserved masks of the generated registers against KVM's *_rsvd computations (arch/x86/kvm/vmx/pmu_intel.c intel_pmu_refresh, arch/x86/kvm/svm/pmu.c amd_pmu_refresh).</summary>
public sealed class ReservedMaskTests
{
    [Fact]
    public void Global_ctrl_for_4_gp_and_3_fixed_counters()
    {
        var caps = Caps.Intel(gp: 4, fixedCounters: 3);

        Assert.Equal(~(0xFUL | 0x7UL << 32), Ia32PerfGlobalCtrl.ReservedMask(caps));
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    [InlineData(4, 3)]
    [InlineData(8, 3)]
    [InlineData(8, 4)]
    public void Global_ctrl_follows_kvm_global_ctrl_rsvd(int gp, int fixedCounters)
    {
        var caps = Caps.Intel(gp: gp, fixedCounters: fixedCounters);
        ulong kvm = ~(Caps.GenMask(gp - 1, 0) | Caps.GenMask(fixedCounters - 1, 0) << 32);

        ulong statusReserved = kvm & ~(1UL << 62 | 1UL << 63);

        Assert.Equal(kvm, Ia32PerfGlobalCtrl.ReservedMask(caps));
        Assert.Equal(statusReserved, Ia32PerfGlobalStatus.ReservedMask(caps));
        Assert.Equal(statusReserved, Ia32PerfGlobalOvfCtrl.ReservedMask(caps));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void Fixed_ctr_ctrl_leaves_only_0xB_per_existing_counter(int fixedCounters)
    {
        var caps = Caps.Intel(fixedCounters: fixedCounters);
        ulong allowed = 0;
        for (int i = 0; i < fixedCounters; i++)
        {
            allowed |= 0xBUL << (4 * i);
        }

        Assert.Equal(~allowed, Ia32FixedCtrCtrl.ReservedMask(caps));
    }

    [Fact]
    public void Fixed_ctr_ctrl_adaptive_bit_per_counter_needs_pebs_baseline()
    {
        var withBaseline = Caps.Intel(fixedCounters: 3, perfCapabilities: Caps.PebsCapabilities(4, baseline: true));

        ulong allowed = 0xBBBUL | 1UL << 32 | 1UL << 36 | 1UL << 40;
        Assert.Equal(~allowed, Ia32FixedCtrCtrl.ReservedMask(withBaseline));
        Assert.Equal(~0xBBBUL, Ia32FixedCtrCtrl.ReservedMask(Caps.Intel(fixedCounters: 3, perfCapabilities: Caps.PebsCapabilities(4, baseline: false))));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Perfevtsel_without_tsx_is_kvm_reserved_bits(int n)
    {
        Assert.Equal(0xffffffff00200000UL, Ia32Perfevtsel.ReservedMask(Caps.Intel(gp: 4), n));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(3, false)]
    public void Perfevtsel_with_tsx_allows_in_tx_everywhere_and_in_txcp_only_on_counter_2(int n, bool inTxcp)
    {
        var caps = Caps.Intel(gp: 4, features: PmuFeatures.Pdcm | PmuFeatures.Tsx);
        ulong expected = 0xffffffff00200000UL & ~(1UL << 32);
        if (inTxcp)
        {
            expected &= ~(1UL << 33);
        }

        Assert.Equal(expected, Ia32Perfevtsel.ReservedMask(caps, n));
    }

    [Fact]
    public void Perfevtsel_adaptive_needs_pebs_format_and_baseline()
    {
        var adaptive = Caps.Intel(perfCapabilities: Caps.PebsCapabilities(4, baseline: true));

        Assert.Equal(0xffffffff00200000UL & ~(1UL << 34), Ia32Perfevtsel.ReservedMask(adaptive, 0));
        Assert.Equal(0xffffffff00200000UL, Ia32Perfevtsel.ReservedMask(Caps.Intel(perfCapabilities: Caps.PebsCapabilities(0, baseline: true)), 0));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Amd_event_selects_drop_kvm_reserved_bits(int n)
    {
        var caps = Caps.Amd();

        Assert.Equal(0xfffffff000280000UL, MsrK7Evntsel.ReservedMask(caps, n));
        Assert.Equal(0xfffffff000280000UL, MsrF15hPerfCtl.ReservedMask(caps, n));
        Assert.False(MsrF15hPerfCtl.Descriptor.ReservedWritesFault);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(6)]
    public void Amd_global_ctl_reserves_bits_above_the_counters(int gp)
    {
        Assert.Equal(~Caps.GenMask(gp - 1, 0), MsrAmd64PerfCntrGlobalCtl.ReservedMask(Caps.Amd(gp: gp)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(8)]
    public void Global_ctrl_resets_to_genmask_of_the_gp_counters(int gp)
    {
        Assert.Equal(Caps.GenMask(gp - 1, 0), Ia32PerfGlobalCtrl.Reset(Caps.Intel(gp: gp)).Value);
        Assert.Equal(Caps.GenMask(Math.Min(gp, 6) - 1, 0), MsrAmd64PerfCntrGlobalCtl.Reset(Caps.Amd(gp: Math.Min(gp, 6))).Value);
    }

    [Fact]
    public void Counter_width_reserves_the_bits_above_it()
    {
        Assert.Equal(~Caps.GenMask(47, 0), Ia32Pmc.ReservedMask(Caps.Intel(gpWidth: 48), 0));
        Assert.Equal(~Caps.GenMask(39, 0), Ia32FixedCtr.ReservedMask(Caps.Intel(fixedWidth: 40), 0));
    }

    [Fact]
    public void Check_reserved_names_the_offending_bits()
    {
        var violation = Ia32PerfGlobalCtrl.CheckReserved(0x10UL | 1UL << 35, Caps.Intel(gp: 4, fixedCounters: 3));

        Assert.True(violation.IsViolation);
        Assert.Equal(0x10UL | 1UL << 35, violation.OffendingBits);
        Assert.Contains("bits 35, 4", violation.ToString());
        Assert.False(Ia32PerfGlobalCtrl.CheckReserved(0x7_0000_000FUL, Caps.Intel(gp: 4, fixedCounters: 3)).IsViolation);
    }

    [Fact]
    public void Registers_exist_only_with_their_capabilities()
    {
        Assert.False(Ia32PerfGlobalCtrl.Exists(Caps.Intel(version: 1)));
        Assert.True(Ia32PerfGlobalCtrl.Exists(Caps.Intel(version: 2)));
        Assert.False(Ia32PerfGlobalCtrl.Exists(Caps.Amd()));
        Assert.True(Ia32Pmc.Exists(Caps.Intel(gp: 4), 3));
        Assert.False(Ia32Pmc.Exists(Caps.Intel(gp: 4), 4));
        Assert.False(Ia32APmc.Exists(Caps.Intel(gp: 4), 0));
        Assert.True(Ia32APmc.Exists(Caps.Intel(gp: 4, perfCapabilities: PmuCaps.PerfCapFullWidthWrites), 0));
        Assert.False(MsrF15hPerfCtl.Exists(Caps.Amd(features: PmuFeatures.None), 0));
    }
}
