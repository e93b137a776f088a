using System.Collections.Generic;
using System.Linq;
using MsrGen.Registers;
using Xunit;

namespace MsrGen.Generator.Tests.Semantics;

/// <summary>
/// Every shipped definition against the names a kernel developer uses. The table is written out by
/// hand from arch/x86/include/asm/msr-index.h (and, where noted, arch/x86/include/asm/perf_event.h and
/// arch/x86/include/uapi/asm/kvm_para.h) in torvalds/linux: one row per kernel macro and the address it
/// expands to. A macro the kernel writes as BASE + n (MSR_F15H_PERF_CTL1 is MSR_F15H_PERF_CTL + 2) is
/// listed with the address that expression gives.
/// </summary>
public sealed class KernelNameTests
{
    public static readonly (string Name, uint Address)[] Kernel =
    {
        // Intel architectural PMU.
        ("MSR_IA32_PERFCTR0", 0xC1), ("MSR_IA32_PERFCTR1", 0xC2),
        ("MSR_P6_PERFCTR0", 0xC1), ("MSR_P6_PERFCTR1", 0xC2),
        ("MSR_ARCH_PERFMON_PERFCTR0", 0xC1), ("MSR_ARCH_PERFMON_PERFCTR1", 0xC2),          // perf_event.h
        ("MSR_P6_EVNTSEL0", 0x186), ("MSR_P6_EVNTSEL1", 0x187),
        ("MSR_ARCH_PERFMON_EVENTSEL0", 0x186), ("MSR_ARCH_PERFMON_EVENTSEL1", 0x187),      // perf_event.h
        ("MSR_IA32_PMC0", 0x4C1),
        ("MSR_CORE_PERF_FIXED_CTR0", 0x309), ("MSR_CORE_PERF_FIXED_CTR1", 0x30A),
        ("MSR_CORE_PERF_FIXED_CTR2", 0x30B), ("MSR_CORE_PERF_FIXED_CTR3", 0x30C),
        ("MSR_CORE_PERF_FIXED_CTR_CTRL", 0x38D),
        ("MSR_CORE_PERF_GLOBAL_STATUS", 0x38E),
        ("MSR_CORE_PERF_GLOBAL_CTRL", 0x38F),
        ("MSR_CORE_PERF_GLOBAL_OVF_CTRL", 0x390),
        ("MSR_CORE_PERF_GLOBAL_STATUS_SET", 0x391),
        ("MSR_PERF_METRICS", 0x329),
        ("MSR_IA32_PERF_CAPABILITIES", 0x345),
        ("MSR_IA32_PEBS_ENABLE", 0x3F1),
        ("MSR_PEBS_DATA_CFG", 0x3F2),
        ("MSR_IA32_DS_AREA", 0x600),
        ("MSR_IA32_MISC_ENABLE", 0x1A0),
        ("MSR_IA32_DEBUGCTLMSR", 0x1D9),
        // Legacy (model-specific) LBRs.
        ("MSR_LBR_SELECT", 0x1C8), ("MSR_LBR_TOS", 0x1C9),
        ("MSR_LBR_CORE_FROM", 0x40), ("MSR_LBR_CORE_TO", 0x60),
        ("MSR_LBR_NHM_FROM", 0x680), ("MSR_LBR_NHM_TO", 0x6C0),
        ("MSR_LBR_INFO_0", 0xDC0),
        // Architectural LBRs.
        ("MSR_ARCH_LBR_CTL", 0x14CE), ("MSR_ARCH_LBR_DEPTH", 0x14CF),
        ("MSR_ARCH_LBR_FROM_0", 0x1500), ("MSR_ARCH_LBR_TO_0", 0x1600), ("MSR_ARCH_LBR_INFO_0", 0x1200),
        // AMD: legacy K7 counters, F15H core counters, PerfMonV2 globals, LBR v1/v2.
        ("MSR_K7_EVNTSEL0", 0xC0010000), ("MSR_K7_EVNTSEL1", 0xC0010001), ("MSR_K7_EVNTSEL2", 0xC0010002), ("MSR_K7_EVNTSEL3", 0xC0010003),
        ("MSR_K7_PERFCTR0", 0xC0010004), ("MSR_K7_PERFCTR1", 0xC0010005), ("MSR_K7_PERFCTR2", 0xC0010006), ("MSR_K7_PERFCTR3", 0xC0010007),
        ("MSR_F15H_PERF_CTL", 0xC0010200), ("MSR_F15H_PERF_CTR", 0xC0010201),
        ("MSR_F15H_PERF_CTL0", 0xC0010200), ("MSR_F15H_PERF_CTL1", 0xC0010202), ("MSR_F15H_PERF_CTL2", 0xC0010204),
        ("MSR_F15H_PERF_CTL3", 0xC0010206), ("MSR_F15H_PERF_CTL4", 0xC0010208), ("MSR_F15H_PERF_CTL5", 0xC001020A),
        ("MSR_F15H_PERF_CTR0", 0xC0010201), ("MSR_F15H_PERF_CTR1", 0xC0010203), ("MSR_F15H_PERF_CTR2", 0xC0010205),
        ("MSR_F15H_PERF_CTR3", 0xC0010207), ("MSR_F15H_PERF_CTR4", 0xC0010209), ("MSR_F15H_PERF_CTR5", 0xC001020B),
        ("MSR_AMD64_PERF_CNTR_GLOBAL_STATUS", 0xC0000300), ("MSR_AMD64_PERF_CNTR_GLOBAL_CTL", 0xC0000301),
        ("MSR_AMD64_PERF_CNTR_GLOBAL_STATUS_CLR", 0xC0000302), ("MSR_AMD64_PERF_CNTR_GLOBAL_STATUS_SET", 0xC0000303),
        ("MSR_IA32_LASTBRANCHFROMIP", 0x1DB), ("MSR_IA32_LASTBRANCHTOIP", 0x1DC),
        ("MSR_IA32_LASTINTFROMIP", 0x1DD), ("MSR_IA32_LASTINTTOIP", 0x1DE),
        ("MSR_AMD64_LBR_SELECT", 0xC000010E), ("MSR_AMD_DBG_EXTN_CFG", 0xC000010F), ("MSR_AMD_SAMP_BR_FROM", 0xC0010300),
        // KVM paravirtual (uapi kvm_para.h).
        ("MSR_KVM_POLL_CONTROL", 0x4B564D05),
    };

    /// <summary>
    /// Registers no kernel header names: the 2018 guest-LBR proposal's control MSR never went
    /// upstream, and msr-index.h names only the first LBR v2 "from" MSR (arch/x86/events/amd/lbr.c
    /// reaches each "to" MSR as MSR_AMD_SAMP_BR_FROM + 2n + 1).
    /// </summary>
    private static readonly HashSet<string> NotInTheKernel = new() { "MSR_KVM_PV_LBR_CTRL", "MSR_AMD_SAMP_BR_TO{n}" };

    public static IEnumerable<object[]> KernelNames => Kernel.Select(k => new object[] { k.Name, k.Address });

    [Theory]
    [MemberData(nameof(KernelNames))]
    public void A_kernel_name_finds_the_register_at_its_address(string name, uint address)
    {
        // Registers the definitions do not model yet are skipped here; the next test catches a
        // definition that exists under a name the kernel does not use.
        if (!MsrCatalog.TryFind(address, MsrProfile.Upstream, out var atAddress))
        {
            return;
        }

        Assert.True(MsrCatalog.TryFindByName(name, MsrProfile.Upstream, out var byName), $"{name} (0x{address:X}) is {atAddress.Name} but the catalog does not know the kernel's name");
        Assert.Equal(atAddress, byName);
        Assert.Equal(address, byName.Address);
    }

    [Fact]
    public void Every_definition_carries_a_kernel_name_for_its_first_instance()
    {
        var missing = new List<string>();
        foreach (var id in MsrCatalog.Ids)
        {
            var descriptor = MsrCatalog.Describe(id)!;
            if (NotInTheKernel.Contains(descriptor.Name))
            {
                continue;
            }

            var names = new[] { descriptor.InstanceName(0) }.Concat(descriptor.AliasesOf(0)).ToList();
            var kernel = Kernel.Where(k => k.Address == descriptor.BaseAddress).Select(k => k.Name).ToList();
            if (kernel.Count == 0 || !kernel.All(names.Contains))
            {
                missing.Add($"{descriptor.Name} at 0x{descriptor.BaseAddress:X}: has [{string.Join(", ", names)}], kernel [{string.Join(", ", kernel)}]");
            }
        }

        Assert.True(missing.Count == 0, "definitions without their kernel names:\n" + string.Join("\n", missing));
    }

    /// <summary>
    /// The name a trace decoder prints for each instance (the definition's 'kernel' line) is a macro of
    /// the table above at that instance's address, or, written MACRO+k, the macro of instance 0 plus the
    /// index on an array of consecutive MSRs (how perf reaches MSR_ARCH_PERFMON_EVENTSEL0 + idx).
    /// </summary>
    [Fact]
    public void The_printed_kernel_name_of_every_instance_is_the_kernels_macro_for_its_address()
    {
        var wrong = new List<string>();
        foreach (var id in MsrCatalog.Ids)
        {
            var descriptor = MsrCatalog.Describe(id)!;
            for (int k = 0; k < descriptor.MaxInstances; k++)
            {
                string? printed = descriptor.KernelNameOf(k);
                if (printed is null)
                {
                    continue;
                }

                uint address = descriptor.AddressOf(k);
                int plus = printed.IndexOf('+');
                bool ok = plus < 0
                    ? Kernel.Contains((printed, address))
                    : descriptor.Stride == 1 && Kernel.Contains((printed[..plus], descriptor.BaseAddress))
                        && printed[(plus + 1)..] == k.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (!ok)
                {
                    wrong.Add($"{descriptor.InstanceName(k)} at 0x{address:X} prints as {printed}");
                }
            }
        }

        Assert.True(wrong.Count == 0, "kernel names that are not the kernel's:\n" + string.Join("\n", wrong));
    }

    /// <summary>Every register the kernel's headers name has a kernel name to print, except the LBR v2 "from" MSRs (stride 2, see above).</summary>
    [Fact]
    public void Every_register_the_kernel_names_prints_a_kernel_name()
    {
        var without = MsrCatalog.Ids.Select(id => MsrCatalog.Describe(id)!)
            .Where(d => Kernel.Any(k => k.Address == d.BaseAddress) && !NotInTheKernel.Contains(d.Name) && d.Name != "MSR_AMD_SAMP_BR_FROM{n}")
            .Where(d => d.KernelNameOf(0) is null)
            .Select(d => d.Name)
            .ToList();
        Assert.True(without.Count == 0, "registers without a 'kernel' line: " + string.Join(", ", without));
    }

    [Theory]
    [InlineData("MSR_ARCH_PERFMON_PERFCTR1", MsrId.Ia32Pmc, 1)]
    [InlineData("msr_ia32_pmc0", MsrId.Ia32APmc, 0)]
    [InlineData("MSR_CORE_PERF_FIXED_CTR2", MsrId.Ia32FixedCtr, 2)]
    [InlineData("MSR_ARCH_LBR_FROM_31", MsrId.Ia32LbrFromIp, 31)]
    [InlineData("MSR_F15H_PERF_CTL", MsrId.MsrF15hPerfCtl, 0)]
    public void Aliases_resolve_to_their_instance(string name, MsrId id, int index)
    {
        Assert.True(MsrCatalog.TryFindByName(name, MsrProfile.All, out var register));
        Assert.Equal(new MsrRef(id, index), register);
    }

    [Theory]
    [InlineData("MSR_P6_PERFCTR2")]   // the kernel names only counters 0 and 1 this way
    [InlineData("MSR_IA32_PMC1")]
    [InlineData("MSR_CORE_PERF_FIXED_CTR4")]
    public void Names_the_kernel_does_not_define_are_not_found(string name)
    {
        Assert.False(MsrCatalog.TryFindByName(name, MsrProfile.All, out _));
    }
}
