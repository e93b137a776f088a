using MsrGen.Registers;

namespace MsrGen.Runtime.Mediated;

/// <summary>
/// Reading event selects and the fixed-counter control through the generated register types, so
/// no bit position is spelled out here. Intel and AMD share the low 32 bits' layout (EN, INT, USR,
/// OS, event, umask); AMD adds event[11:8] and the Guest/Host-only bits.
/// </summary>
public static class PmuEventSelect
{
    /// <summary>Event select and umask: what identifies an Intel event.</summary>
    public static readonly ulong IntelIdentityMask = Ia32Perfevtsel.Zero.WithEventSelect(0xFF).WithUmask(0xFF).Value;

    /// <summary>Event select [7:0] and [11:8] and umask: what identifies an AMD event.</summary>
    public static readonly ulong AmdIdentityMask = MsrF15hPerfCtl.Zero.WithEventSelect(0xFF).WithUmask(0xFF).WithEventSelectHi(0xF).Value;

    /// <summary>The EN bit alone.</summary>
    public static readonly ulong EnableBit = Ia32Perfevtsel.Zero.WithEn(true).Value;

    public static readonly ulong AmdGuestOnly = MsrF15hPerfCtl.Zero.WithGuestOnly(true).Value;
    public static readonly ulong AmdHostOnly = MsrF15hPerfCtl.Zero.WithHostOnly(true).Value;

    public static bool IsEnabled(ulong eventSelect) => Ia32Perfevtsel.FromRawUnchecked(eventSelect).En;

    public static bool WantsInterrupt(ulong eventSelect) => Ia32Perfevtsel.FromRawUnchecked(eventSelect).Int;

    public static bool CountsAtPrivilege(ulong eventSelect, bool kernelMode)
    {
        var sel = Ia32Perfevtsel.FromRawUnchecked(eventSelect);
        return kernelMode ? sel.Os : sel.Usr;
    }

    /// <summary>AMD: GuestOnly counts only in guest mode, HostOnly only in host mode; both or neither count always.</summary>
    public static bool AmdCountsInMode(ulong eventSelect, bool guestMode)
    {
        var sel = MsrF15hPerfCtl.FromRawUnchecked(eventSelect);
        if (sel.GuestOnly == sel.HostOnly)
        {
            return true;
        }

        return guestMode ? sel.GuestOnly : sel.HostOnly;
    }

    /// <summary>A counting event select for an event, at both privilege levels, with or without an interrupt.</summary>
    public static ulong Counting(ulong eventIdentity, bool interrupt) =>
        Ia32Perfevtsel.FromRawUnchecked(eventIdentity).WithUsr(true).WithOs(true).WithEn(true).WithInt(interrupt).Value;

    /// <summary>The 4-bit control field of fixed counter <paramref name="index"/>.</summary>
    public static ulong FixedField(int index) =>
        Ia32FixedCtrCtrl.Zero.WithFixedOs(index, true).WithFixedUsr(index, true).WithFixedAny(index, true).WithFixedPmi(index, true).Value;

    public static bool FixedCountsAtPrivilege(ulong fixedCtrl, int index, bool kernelMode)
    {
        var ctrl = Ia32FixedCtrCtrl.FromRawUnchecked(fixedCtrl);
        return kernelMode ? ctrl.FixedOs(index) : ctrl.FixedUsr(index);
    }

    public static bool FixedEnabled(ulong fixedCtrl, int index)
    {
        var ctrl = Ia32FixedCtrCtrl.FromRawUnchecked(fixedCtrl);
        return ctrl.FixedOs(index) || ctrl.FixedUsr(index);
    }

    public static bool FixedWantsInterrupt(ulong fixedCtrl, int index) => Ia32FixedCtrCtrl.FromRawUnchecked(fixedCtrl).FixedPmi(index);

    /// <summary>The architectural event each Intel fixed counter counts (SDM: INST_RETIRED.ANY, CPU_CLK_UNHALTED.CORE, .REF_TSC).</summary>
    public static ulong FixedCounterEvent(int index) => index switch
    {
        0 => Events.Instructions,
        1 => Events.Cycles,
        2 => Events.RefCycles,
        _ => ulong.MaxValue,
    };

    /// <summary>Architectural event encodings (event | umask &lt;&lt; 8) the mediated model retires.</summary>
    public static class Events
    {
        public const ulong Instructions = 0x00C0;
        public const ulong Cycles = 0x003C;
        public const ulong RefCycles = 0x013C;
        public const ulong Branches = 0x00C4;
        public const ulong AmdCycles = 0x0076;
        public const ulong AmdBranches = 0x00C2;
    }
}
