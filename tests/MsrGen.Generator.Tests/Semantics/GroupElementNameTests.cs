using System.Linq;
using MsrGen.Registers;
using Xunit;

namespace MsrGen.Generator.Tests.Semantics;

/// <summary>
/// arch/x86/include/asm/perf_event.h names bit 2 of fixed counter 3's control nibble (bit 14 of
/// IA32_FIXED_CTR_CTRL) INTEL_FIXED_3_METRICS_CLEAR, where the other counters have AnyThread; KVM
/// (arch/x86/kvm/vmx/pmu_intel.c intel_pmu_refresh(), fixed_ctr_ctrl_rsvd) reserves it either way.
/// </summary>
public sealed class GroupElementNameTests
{
    [Fact]
    public void Decoding_names_bit_14_metrics_clear_and_bit_2_any()
    {
        // Bit 2 = counter 0's nibble, bit 2 (ANY); bit 14 = counter 3's nibble (12..15), bit 2.
        var value = Ia32FixedCtrCtrl.FromRawUnchecked(1UL << 2 | 1UL << 14 | 1UL << 12);

        Assert.Equal("IA32_FIXED_CTR_CTRL = 0x0000000000005004 FIXED0=ANY FIXED3=METRICS_CLEAR|OS", value.ToString());
    }

    [Fact]
    public void Descriptor_names_the_field_per_element()
    {
        var any = Ia32FixedCtrCtrl.Descriptor.Fields.Single(f => f.Name == "FIXED{n}.ANY");

        Assert.Equal([(3, "METRICS_CLEAR")], any.ElementNames);
        Assert.Equal(["ANY", "ANY", "ANY", "METRICS_CLEAR"], Enumerable.Range(0, 4).Select(any.NameInElement).ToArray());
        Assert.All(Ia32FixedCtrCtrl.Descriptor.Fields.Where(f => f != any), f => Assert.Empty(f.ElementNames));
    }

    [Fact]
    public void Metrics_clear_stays_reserved_like_any_thread_with_four_fixed_counters()
    {
        // fixed_ctr_ctrl_rsvd: every bit but 0xb (OS, USR, PMI) in each existing counter's nibble.
        ulong allowed = 0xBUL | 0xBUL << 4 | 0xBUL << 8 | 0xBUL << 12;

        Assert.Equal(~allowed, Ia32FixedCtrCtrl.ReservedMask(Caps.Intel(fixedCounters: 4)));
        Assert.NotEqual(0UL, Ia32FixedCtrCtrl.ReservedMask(Caps.Intel(fixedCounters: 4)) & 1UL << 14);
    }
}
