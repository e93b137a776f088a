using MsrGen.Registers;
using Xunit;

namespace MsrGen.Generator.Tests.Semantics;

/// <summary>The generated catalog: address and name lookups, profiles, decoding.</summary>
public sealed class CatalogTests
{
    [Theory]
    [InlineData(0xC1u, MsrId.Ia32Pmc, 0)]
    [InlineData(0xC8u, MsrId.Ia32Pmc, 7)]
    [InlineData(0x4C3u, MsrId.Ia32APmc, 2)]
    [InlineData(0x38Fu, MsrId.Ia32PerfGlobalCtrl, 0)]
    [InlineData(0xC0010203u, MsrId.MsrF15hPerfCtr, 1)]
    [InlineData(0xC0010202u, MsrId.MsrF15hPerfCtl, 1)]
    [InlineData(0x1600u, MsrId.Ia32LbrToIp, 0)]
    [InlineData(0xDDFu, MsrId.MsrLbrInfo, 31)]
    public void Finds_registers_by_address(uint address, MsrId id, int index)
    {
        Assert.True(MsrCatalog.TryFind(address, out var register));

        Assert.Equal(new MsrRef(id, index), register);
        Assert.Equal(address, register.Address);
    }

    [Theory]
    [InlineData(0xC9u)]
    [InlineData(0x12345u)]
    [InlineData(0xC001020Cu)]
    public void Unknown_addresses_are_not_found(uint address)
    {
        Assert.False(MsrCatalog.TryFind(address, MsrProfile.All, out _));
    }

    [Theory]
    [InlineData("IA32_PERF_GLOBAL_CTRL", MsrId.Ia32PerfGlobalCtrl, 0)]
    [InlineData("ia32_perf_global_ctrl", MsrId.Ia32PerfGlobalCtrl, 0)]
    [InlineData("Ia32_Pmc7", MsrId.Ia32Pmc, 7)]
    [InlineData("ia32_lbr_3_from_ip", MsrId.Ia32LbrFromIp, 3)]
    [InlineData("MSR_F15H_PERF_CTL5", MsrId.MsrF15hPerfCtl, 5)]
    public void Finds_registers_by_name_case_insensitively(string name, MsrId id, int index)
    {
        Assert.True(MsrCatalog.TryFindByName(name, MsrProfile.Upstream, out var register));

        Assert.Equal(new MsrRef(id, index), register);
    }

    [Theory]
    [InlineData("IA32_PMC8")]
    [InlineData("IA32_PMC01")]
    [InlineData("IA32_PMC")]
    [InlineData("NO_SUCH_MSR")]
    public void Bad_names_are_not_found(string name)
    {
        Assert.False(MsrCatalog.TryFindByName(name, MsrProfile.All, out _));
    }

    [Fact]
    public void The_kvm_address_clash_is_resolved_per_profile()
    {
        Assert.True(MsrCatalog.TryFind(0x4B564D05, MsrProfile.Upstream, out var upstream));
        Assert.True(MsrCatalog.TryFind(0x4B564D05, MsrProfile.PvLbr2018, out var proposal));

        Assert.Equal(MsrId.MsrKvmPollControl, upstream.Id);
        Assert.Equal(MsrId.MsrKvmPvLbrCtrl, proposal.Id);
        Assert.Equal(MsrVendor.Synthetic, MsrCatalog.Describe(proposal.Id)!.Vendor);
        Assert.False(MsrCatalog.TryFindByName("MSR_KVM_PV_LBR_CTRL", MsrProfile.Upstream, out _));
        Assert.True(MsrCatalog.TryFindByName("msr_kvm_pv_lbr_ctrl", MsrProfile.PvLbr2018, out _));
    }

    [Fact]
    public void Global_ctrl_decodes_low_fields_first()
    {
        var value = Ia32PerfGlobalCtrl.FromRawUnchecked(0xFUL | 0x7UL << 32);

        Assert.Equal("IA32_PERF_GLOBAL_CTRL = 0x000000070000000F EN_PMC=0b1111 EN_FIXED=0b111", value.ToString());
        Assert.Equal("IA32_PERF_GLOBAL_CTRL = 0x000000070000000F EN_PMC=0b1111 EN_FIXED=0b111",
            MsrCatalog.Decode(new MsrRef(MsrId.Ia32PerfGlobalCtrl, 0), value.Value));
    }

    [Fact]
    public void Decoding_names_enums_groups_and_reserved_bits()
    {
        var capabilities = Ia32PerfCapabilities.FromRawUnchecked(0x3F | 1UL << 13 | 1UL << 40);
        var fixedCtrl = Ia32FixedCtrCtrl.Zero.WithFixedOs(0, true).WithFixedPmi(0, true).WithFixedUsr(2, true);
        var evtsel = Ia32Perfevtsel.Zero.WithEventSelect(0x3C).WithUsr(true).WithEn(true);

        Assert.Equal("IA32_PERF_CAPABILITIES = 0x000001000000203F LBR_FMT=LBR_FORMAT_NONE FW_WRITES reserved=0x10000000000", capabilities.ToString());
        Assert.Equal("IA32_FIXED_CTR_CTRL = 0x0000000000000209 FIXED0=PMI|OS FIXED2=USR", fixedCtrl.ToString());
        Assert.Equal("IA32_PERFEVTSEL{n} = 0x000000000041003C EVENT_SELECT=0x3C USR EN", evtsel.ToString());
    }

    [Fact]
    public void Instance_names_and_addresses_of_arrays()
    {
        Assert.Equal("IA32_LBR_7_INFO", Ia32LbrInfo.InstanceName(7));
        Assert.Equal(0x1207u, Ia32LbrInfo.AddressOf(7));
        Assert.Equal(0xC001020Au, MsrF15hPerfCtl.AddressOf(5));
        Assert.Equal("MSR_F15H_PERF_CTL5", new MsrRef(MsrId.MsrF15hPerfCtl, 5).Name);
    }
}
