using MsrGen.Registers;
using MsrGen.Runtime.Lbr;

namespace MsrGen.Runtime.Tests.Lbr;

[TestClass]
public sealed class LbrStackTests
{
    private static PmuCaps Caps(int depth, int format) =>
        new(CpuVendor.Intel, 4, 4, 3, 48, 48, (ulong)format, depth, PmuFeatures.Pdcm);

    private static LbrBranch Call(ulong from, ulong to, bool user = true) => new(from, to, LbrBranchKind.NearRelativeCall, user, false, 7);

    private static LbrBranch Ret(ulong from, ulong to) => new(from, to, LbrBranchKind.NearReturn, true, false, 3);

    private static LbrStack Recording(in PmuCaps caps, MsrLbrSelect select)
    {
        var stack = new LbrStack(caps);
        Assert.AreEqual(MsrAccessResult.Ok, stack.Write(new LbrRegister(LbrRegisterKind.Select, 0), select.Value, LbrOwner.Nobody));
        stack.Recording = true;
        return stack;
    }

    [TestMethod]
    [DataRow(8, 3, 18)]
    [DataRow(16, 4, 34)]
    [DataRow(32, 5, 98)]
    public void StateSizeFollowsDepthAndFormat(int depth, int format, int msrs)
    {
        var stack = new LbrStack(Caps(depth, format));
        Assert.AreEqual(depth, stack.Depth);
        Assert.AreEqual(format >= 5, stack.HasInfo);
        Assert.AreEqual(msrs, stack.StateMsrCount);
    }

    [TestMethod]
    public void EightDeepStackLivesAtTheCoreAddressesAndDeeperAtTheNehalemOnes()
    {
        Assert.AreEqual(MsrLbrCoreFrom.AddressOf(3), LbrRegister.FromAddress(8, 3));
        Assert.AreEqual(MsrLbrCoreTo.AddressOf(3), LbrRegister.ToAddress(8, 3));
        Assert.AreEqual(MsrLbrNhmFrom.AddressOf(20), LbrRegister.FromAddress(32, 20));
        Assert.AreEqual(MsrLbrNhmTo.AddressOf(20), LbrRegister.ToAddress(32, 20));
        var decoded = LbrRegister.Of(MsrLbrNhmTo.AddressOf(20), MsrProfile.Upstream);
        Assert.AreEqual(new LbrRegister(LbrRegisterKind.To, 20), decoded);
        Assert.IsTrue(decoded.ExistsFor(Caps(32, 5)));
        Assert.IsFalse(decoded.ExistsFor(Caps(16, 4)));
    }

    // Addresses from the SDM (Vol. 4, "MSRs in Processors Based on Intel Microarchitecture Code Name
    // Nehalem" and the architectural LBR MSRs) and arch/x86/include/asm/msr-index.h, written out by
    // hand: the LBR model must see each one as the kind and index listed, through the catalog.
    [TestMethod]
    [DataRow(0x1D9u, LbrRegisterKind.Debugctl, 0, DisplayName = "IA32_DEBUGCTL")]
    [DataRow(0x1C8u, LbrRegisterKind.Select, 0, DisplayName = "MSR_LBR_SELECT")]
    [DataRow(0x1C9u, LbrRegisterKind.Tos, 0, DisplayName = "MSR_LBR_TOS")]
    [DataRow(0x40u, LbrRegisterKind.From, 0, DisplayName = "MSR_LBR_CORE_FROM")]
    [DataRow(0x47u, LbrRegisterKind.From, 7, DisplayName = "MSR_LBR_CORE_FROM + 7")]
    [DataRow(0x60u, LbrRegisterKind.To, 0, DisplayName = "MSR_LBR_CORE_TO")]
    [DataRow(0x69Fu, LbrRegisterKind.From, 31, DisplayName = "MSR_LBR_NHM_FROM + 31")]
    [DataRow(0x6C5u, LbrRegisterKind.To, 5, DisplayName = "MSR_LBR_NHM_TO + 5")]
    [DataRow(0xDC0u, LbrRegisterKind.Info, 0, DisplayName = "MSR_LBR_INFO_0")]
    [DataRow(0x14CEu, LbrRegisterKind.ArchLbr, 0, DisplayName = "MSR_ARCH_LBR_CTL")]
    [DataRow(0x1500u, LbrRegisterKind.ArchLbr, 0, DisplayName = "MSR_ARCH_LBR_FROM_0")]
    [DataRow(0x1D8u, LbrRegisterKind.Unrelated, 0, DisplayName = "0x1D8 is no LBR register")]
    [DataRow(0x186u, LbrRegisterKind.Unrelated, 0, DisplayName = "IA32_PERFEVTSEL0 is not the LBR model's")]
    public void TheLbrModelSeesEachAddressThroughTheCatalog(uint address, LbrRegisterKind kind, int index)
    {
        Assert.AreEqual(new LbrRegister(kind, index), LbrRegister.Of(address, MsrProfile.Upstream));
    }

    // MSR_KVM_PV_LBR_CTRL exists only in the profile of Wei Wang's posting "[PATCH v2 6/8]
    // perf/x86/intel/lbr: guest requesting KVM for lbr stack save/restore" (2018-09-06); upstream KVM
    // has no such MSR.
    [TestMethod]
    public void ThePvLbrControlIsAnLbrRegisterOnlyInThe2018Profile()
    {
        Assert.AreEqual(new LbrRegister(LbrRegisterKind.PvLbrCtrl, 0), LbrRegister.Of(MsrKvmPvLbrCtrl.Address, MsrProfile.PvLbr2018));
        Assert.AreEqual(default, LbrRegister.Of(MsrKvmPvLbrCtrl.Address, MsrProfile.Upstream));
    }

    [TestMethod]
    public void TosWrapsAroundAndTheNewestEntryIsAtTos()
    {
        var stack = Recording(Caps(8, 3), LbrFilter.AnyBranch);
        for (ulong i = 1; i <= 10; i++)
        {
            Assert.IsTrue(stack.Record(Call(0x1000 * i, 0x1000 * i + 0x10), LbrOwner.GuestTask(1)));
        }

        Assert.AreEqual(10 % 8, stack.Tos);
        stack.Read(new LbrRegister(LbrRegisterKind.From, stack.Tos), out ulong newest, out var owner);
        Assert.AreEqual(0xA000UL, newest);
        Assert.AreEqual(LbrOwner.GuestTask(1), owner);
        stack.Read(new LbrRegister(LbrRegisterKind.From, stack.Slot(7)), out ulong oldest, out _);
        Assert.AreEqual(0x3000UL, oldest);
    }

    [TestMethod]
    public void NothingIsRecordedWhileDebugctlLbrIsOff()
    {
        var stack = Recording(Caps(16, 4), LbrFilter.AnyBranch);
        stack.Recording = false;
        Assert.IsFalse(stack.Record(Call(0x10, 0x20), LbrOwner.GuestTask(1)));
        Assert.AreEqual(LbrOwner.Nobody, stack.OwnerAt(0));
    }

    [TestMethod]
    public void SelectSuppressesKernelBranchesAndConditionalsInUserCallstackMode()
    {
        var stack = Recording(Caps(16, 4), LbrFilter.UserCallStack);
        Assert.IsFalse(stack.Record(Call(0x10, 0x20, user: false), LbrOwner.GuestTask(1)));
        Assert.IsFalse(stack.Record(new LbrBranch(0x30, 0x40, LbrBranchKind.Conditional, true, false, 1), LbrOwner.GuestTask(1)));
        Assert.IsFalse(stack.Record(new LbrBranch(0x30, 0x40, LbrBranchKind.NearRelativeJump, true, false, 1), LbrOwner.GuestTask(1)));
        Assert.IsTrue(stack.Record(Call(0x50, 0x60), LbrOwner.GuestTask(1)));
        Assert.AreEqual(1, stack.Tos);
    }

    [TestMethod]
    public void CallstackModePopsTheCallOnReturn()
    {
        var stack = Recording(Caps(16, 4), LbrFilter.UserCallStack);
        stack.Record(Call(0x100, 0x200), LbrOwner.GuestTask(1));
        stack.Record(Call(0x210, 0x300), LbrOwner.GuestTask(1));
        stack.Record(Ret(0x310, 0x214), LbrOwner.GuestTask(1));
        Assert.AreEqual(1, stack.Tos);
        stack.Read(new LbrRegister(LbrRegisterKind.From, 1), out ulong from, out _);
        Assert.AreEqual(0x100UL, from);
        stack.Read(new LbrRegister(LbrRegisterKind.From, 2), out ulong popped, out var poppedOwner);
        Assert.AreEqual(0UL, popped);
        Assert.AreEqual(LbrOwner.Nobody, poppedOwner);
    }

    [TestMethod]
    public void WithoutCallstackModeAReturnIsJustAnotherEntry()
    {
        var stack = Recording(Caps(16, 4), LbrFilter.AnyBranch);
        stack.Record(Call(0x100, 0x200), LbrOwner.GuestTask(1));
        stack.Record(Ret(0x210, 0x104), LbrOwner.GuestTask(1));
        Assert.AreEqual(2, stack.Tos);
    }

    [TestMethod]
    public void InfoFormatCarriesTypeMispredictAndCycles()
    {
        var stack = Recording(Caps(32, 5), LbrFilter.AnyBranch);
        stack.Record(new LbrBranch(0x10, 0x20, LbrBranchKind.NearIndirectCall, true, true, 99), LbrOwner.GuestTask(1));
        Assert.AreEqual(MsrAccessResult.Ok, stack.Read(new LbrRegister(LbrRegisterKind.Info, 1), out ulong raw, out _));
        var info = MsrLbrInfo.FromRawUnchecked(raw);
        Assert.IsTrue(info.Mispred);
        Assert.IsTrue(info.CycCntValid);
        Assert.AreEqual((byte)LbrBranchKind.NearIndirectCall, info.BrType);
        Assert.AreEqual((ushort)99, info.CycleCount);
    }

    [TestMethod]
    public void FormatsWithoutInfoFaultOnInfoMsrsAndReservedSelectBitsFault()
    {
        var stack = new LbrStack(Caps(16, 4));
        Assert.AreEqual(MsrAccessResult.GeneralProtection, stack.Read(new LbrRegister(LbrRegisterKind.Info, 0), out _, out _));
        ulong reservedBit = MsrLbrSelect.ReservedMask(Caps(16, 4)) & ~(MsrLbrSelect.ReservedMask(Caps(16, 4)) - 1);
        Assert.AreEqual(MsrAccessResult.GeneralProtection, stack.Write(new LbrRegister(LbrRegisterKind.Select, 0), reservedBit, LbrOwner.Nobody));
    }

    [TestMethod]
    public void SaveAndRestoreMoveEntriesTosSelectAndOwnerTags()
    {
        var caps = Caps(32, 5);
        var stack = Recording(caps, LbrFilter.UserCallStack);
        stack.Record(Call(0x100, 0x200), LbrOwner.GuestTask(1));
        stack.Record(Call(0x210, 0x300), LbrOwner.GuestTask(1));
        var snapshot = new LbrSnapshot(stack.Depth);
        Assert.AreEqual(98, stack.SaveTo(snapshot));

        Assert.AreEqual(MsrAccessResult.Ok, stack.Write(new LbrRegister(LbrRegisterKind.Select, 0), LbrFilter.AnyBranch.Value, LbrOwner.HostThread(1)));
        for (int i = 0; i < 40; i++)
        {
            stack.Record(Call(0xFFFF_0000 + (ulong)i, 0xFFFF_1000), LbrOwner.HostThread(1));
        }

        Assert.IsTrue(stack.OwnerAt(0).IsHost);
        Assert.AreEqual(98, stack.RestoreFrom(snapshot));
        Assert.AreEqual(2, stack.Tos);
        Assert.IsTrue(stack.Select.EnCallstack);
        Assert.AreEqual(LbrOwner.GuestTask(1), stack.OwnerAt(0));
        Assert.AreEqual(LbrOwner.Nobody, stack.OwnerAt(2));
    }

    [TestMethod]
    public void WipeZeroesEveryEntryAndTos()
    {
        var stack = Recording(Caps(16, 4), LbrFilter.AnyBranch);
        stack.Record(Call(0x1, 0x2), LbrOwner.HostThread(2));
        Assert.AreEqual(16 * 2 + 1, stack.Wipe());
        Assert.AreEqual(0, stack.Tos);
        for (int age = 0; age < stack.Depth; age++)
        {
            Assert.AreEqual(LbrOwner.Nobody, stack.OwnerAt(age));
        }
    }
}
