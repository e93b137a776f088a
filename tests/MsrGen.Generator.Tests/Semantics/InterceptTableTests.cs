using MsrGen.Registers;
using Xunit;

namespace MsrGen.Generator.Tests.Semantics;

/// <summary>The VMX MSR bitmap and SVM MSR permission map layouts, and the mediated vPMU's intercept policy.</summary>
public sealed class InterceptTableTests
{
    [Theory]
    [InlineData(0x0000_00C1u, false, 0x18, 1)]
    [InlineData(0x0000_038Fu, false, 0x71, 7)]
    [InlineData(0x0000_1FFFu, false, 1023, 7)]
    [InlineData(0xC000_0000u, false, 1024, 0)]
    [InlineData(0xC000_0301u, false, 1024 + 0x60, 1)]
    [InlineData(0x0000_00C1u, true, 2048 + 0x18, 1)]
    [InlineData(0xC000_0301u, true, 3072 + 0x60, 1)]
    [InlineData(0xC000_1FFFu, true, 4095, 7)]
    public void Vmx_bitmap_positions_follow_the_sdm_layout(uint address, bool write, int byteOffset, int bit)
    {
        Assert.True(VmxMsrBitmap.TryLocate(address, write, out int actualOffset, out int actualBit));

        Assert.Equal((byteOffset, bit), (actualOffset, actualBit));
        Assert.Equal(byteOffset % 1024, (int)((address & 0x1FFF) >> 3));
    }

    [Theory]
    [InlineData(0x0000_2000u)]
    [InlineData(0xC001_0200u)]
    [InlineData(0x4B56_4D05u)]
    public void Vmx_msrs_outside_the_two_ranges_always_exit(uint address)
    {
        var bitmap = new VmxMsrBitmap();

        Assert.False(VmxMsrBitmap.TryLocate(address, false, out _, out _));
        Assert.False(bitmap.Set(address, MsrIntercept.None));
        Assert.True(bitmap.Intercepts(address, write: false));
        Assert.True(bitmap.Intercepts(address, write: true));
    }

    [Fact]
    public void Vmx_passthrough_clears_exactly_the_read_and_write_bits()
    {
        var bitmap = new VmxMsrBitmap();

        bitmap.Set(0xC1, MsrIntercept.None);

        Assert.Equal(VmxMsrBitmap.Size, bitmap.Bytes.Length);
        for (int i = 0; i < VmxMsrBitmap.Size; i++)
        {
            byte expected = i is 0x18 or 2048 + 0x18 ? (byte)0xFD : (byte)0xFF;
            Assert.Equal(expected, bitmap.Bytes[i]);
        }
    }

    [Theory]
    [InlineData(0x0000_00C1u, 0x30, 2)]
    [InlineData(0x0000_1FFFu, 2047, 6)]
    [InlineData(0xC000_0300u, 2048 + 0xC0, 0)]
    [InlineData(0xC001_0000u, 4096, 0)]
    [InlineData(0xC001_0201u, 4096 + 0x80, 2)]
    public void Svm_permission_map_has_two_bits_per_msr_in_three_vectors(uint address, int byteOffset, int readBit)
    {
        var map = new SvmMsrPermissionMap();

        Assert.True(SvmMsrPermissionMap.TryLocate(address, out int offset, out int bit));
        Assert.Equal((byteOffset, readBit), (offset, bit));

        map.Set(address, MsrIntercept.Write);
        Assert.Equal(0xFF & ~(1 << readBit), map.Bytes[byteOffset]);
        Assert.False(map.Intercepts(address, write: false));
        Assert.True(map.Intercepts(address, write: true));
    }

    [Fact]
    public void Svm_map_is_8_KiB_with_the_last_2_KiB_reserved_and_outside_msrs_exiting()
    {
        var map = new SvmMsrPermissionMap();

        Assert.Equal(8192, map.Bytes.Length);
        Assert.All(map.Bytes[6144..].ToArray(), b => Assert.Equal(0, b));
        Assert.False(map.Set(0x4B56_4D05u, MsrIntercept.None));
        Assert.True(map.Intercepts(0x4B56_4D05u, write: false));
    }

    [Fact]
    public void Mediated_passes_through_existing_gp_counters_and_intercepts_event_selects()
    {
        var guest = Caps.Intel(gp: 4, fixedCounters: 3);
        var host = Caps.Intel(gp: 8, fixedCounters: 3);

        for (int n = 0; n < 8; n++)
        {
            var expected = n < 4 ? MsrIntercept.None : MsrIntercept.ReadWrite;
            Assert.Equal(expected, Ia32Pmc.InterceptPolicy(VpmuMode.Mediated, guest, host, n));
            Assert.Equal(MsrIntercept.ReadWrite, Ia32Perfevtsel.InterceptPolicy(VpmuMode.Mediated, guest, host, n));
            Assert.Equal(MsrIntercept.ReadWrite, Ia32Pmc.InterceptPolicy(VpmuMode.Emulated, guest, host, n));
        }

        Assert.Equal(MsrIntercept.ReadWrite, Ia32FixedCtrCtrl.InterceptPolicy(VpmuMode.Mediated, guest, host));
        Assert.Equal(MsrIntercept.None, Ia32FixedCtr.InterceptPolicy(VpmuMode.Mediated, guest, host, 2));
    }

    [Theory]
    [InlineData(8, 3, 2, 8, 3, true)]
    [InlineData(4, 3, 2, 8, 3, false)]
    [InlineData(8, 2, 2, 8, 3, false)]
    [InlineData(8, 3, 1, 8, 3, false)]
    public void Mediated_passes_global_msrs_through_only_when_counts_match_and_version_above_1(
        int gp, int fixedCounters, int version, int hostGp, int hostFixed, bool passthrough)
    {
        var guest = Caps.Intel(gp: gp, fixedCounters: fixedCounters, version: version);
        var host = Caps.Intel(gp: hostGp, fixedCounters: hostFixed, version: 5);
        var expected = passthrough ? MsrIntercept.None : MsrIntercept.ReadWrite;

        Assert.Equal(expected, Ia32PerfGlobalCtrl.InterceptPolicy(VpmuMode.Mediated, guest, host));
        Assert.Equal(expected, Ia32PerfGlobalStatus.InterceptPolicy(VpmuMode.Mediated, guest, host));
        Assert.Equal(expected, Ia32PerfGlobalOvfCtrl.InterceptPolicy(VpmuMode.Mediated, guest, host));
    }

    [Fact]
    public void Generated_vmx_bitmap_for_a_mediated_vcpu()
    {
        var guest = Caps.Intel(gp: 4, fixedCounters: 3);
        var bitmap = MsrCatalog.BuildVmxBitmap(VpmuMode.Mediated, guest, Caps.Intel(gp: 8, fixedCounters: 3), MsrProfile.Upstream);

        Assert.False(bitmap.Intercepts(0xC1, write: false));
        Assert.False(bitmap.Intercepts(0xC4, write: true));
        Assert.True(bitmap.Intercepts(0xC5, write: false));
        Assert.True(bitmap.Intercepts(0x186, write: true));
        Assert.False(bitmap.Intercepts(0x309, write: false));
        Assert.True(bitmap.Intercepts(0x38F, write: true));

        var matching = MsrCatalog.BuildVmxBitmap(VpmuMode.Mediated, guest, guest, MsrProfile.Upstream);
        Assert.False(matching.Intercepts(0x38F, write: true));
        Assert.False(matching.Intercepts(0x38E, write: false));

        var emulated = MsrCatalog.BuildVmxBitmap(VpmuMode.Emulated, guest, guest, MsrProfile.Upstream);
        Assert.All(emulated.Bytes.ToArray(), b => Assert.Equal(0xFF, b));
    }

    [Fact]
    public void Generated_svm_map_for_a_mediated_amd_vcpu()
    {
        var guest = Caps.Amd(gp: 6);
        var map = MsrCatalog.BuildSvmPermissionMap(VpmuMode.Mediated, guest, guest, MsrProfile.Upstream);

        Assert.False(map.Intercepts(0xC0010201, write: true));
        Assert.True(map.Intercepts(0xC0010200, write: true));
        Assert.False(map.Intercepts(0xC0000301, write: true));
        Assert.True(map.Intercepts(0xC1, write: false));
    }
}
