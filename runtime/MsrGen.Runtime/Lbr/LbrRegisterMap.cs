using MsrGen.Registers;

namespace MsrGen.Runtime.Lbr;

/// <summary>What an MSR address means to the LBR model.</summary>
public enum LbrRegisterKind : byte
{
    /// <summary>Not an LBR-related register: the vCPU handles it elsewhere.</summary>
    Unrelated = 0,
    Debugctl,
    Select,
    Tos,
    From,
    To,
    Info,
    /// <summary>Architectural LBR MSRs (IA32_LBR_CTL, _DEPTH, _x_FROM_IP/TO_IP/INFO).</summary>
    ArchLbr,
    /// <summary>MSR_KVM_PV_LBR_CTRL (only in the pv-lbr-2018 profile).</summary>
    PvLbrCtrl,
}

/// <summary>A catalog register as the LBR model sees it: the register kind and the stack index.</summary>
public readonly record struct LbrRegister(LbrRegisterKind Kind, int Index)
{
    public bool IsStackMsr => Kind is LbrRegisterKind.Select or LbrRegisterKind.Tos
        or LbrRegisterKind.From or LbrRegisterKind.To or LbrRegisterKind.Info;

    /// <summary>
    /// What <paramref name="address"/> means to the LBR model under <paramref name="profile"/>: one
    /// lookup in the generated catalog (a table read), then <see cref="FromCatalog"/>. The LBR model
    /// keeps no address knowledge of its own.
    /// </summary>
    public static LbrRegister Of(uint address, MsrProfile profile) =>
        MsrCatalog.TryFind(address, profile, out MsrRef found) ? FromCatalog(found) : default;

    /// <summary>What a catalog register means to the LBR model.</summary>
    public static LbrRegister FromCatalog(MsrRef found) => found.Id switch
    {
        MsrId.Ia32Debugctl => new(LbrRegisterKind.Debugctl, 0),
        MsrId.MsrLbrSelect => new(LbrRegisterKind.Select, 0),
        MsrId.MsrLbrTos => new(LbrRegisterKind.Tos, 0),
        MsrId.MsrLbrCoreFrom or MsrId.MsrLbrNhmFrom => new(LbrRegisterKind.From, found.Index),
        MsrId.MsrLbrCoreTo or MsrId.MsrLbrNhmTo => new(LbrRegisterKind.To, found.Index),
        MsrId.MsrLbrInfo => new(LbrRegisterKind.Info, found.Index),
        MsrId.Ia32LbrCtl or MsrId.Ia32LbrDepth or MsrId.Ia32LbrFromIp or MsrId.Ia32LbrToIp or MsrId.Ia32LbrInfo =>
            new(LbrRegisterKind.ArchLbr, found.Index),
        MsrId.MsrKvmPvLbrCtrl => new(LbrRegisterKind.PvLbrCtrl, 0),
        _ => default,
    };

    /// <summary>Address of FROM entry <paramref name="n"/> for a stack of <paramref name="depth"/> entries.</summary>
    public static uint FromAddress(int depth, int n) => depth <= MsrLbrCoreFrom.Maximum ? MsrLbrCoreFrom.AddressOf(n) : MsrLbrNhmFrom.AddressOf(n);

    /// <summary>Address of TO entry <paramref name="n"/> for a stack of <paramref name="depth"/> entries.</summary>
    public static uint ToAddress(int depth, int n) => depth <= MsrLbrCoreTo.Maximum ? MsrLbrCoreTo.AddressOf(n) : MsrLbrNhmTo.AddressOf(n);

    /// <summary>Whether this stack register exists for a CPU with <paramref name="caps"/> (generated gates).</summary>
    public bool ExistsFor(in PmuCaps caps) => Kind switch
    {
        LbrRegisterKind.Select => MsrLbrSelect.Exists(caps),
        LbrRegisterKind.Tos => MsrLbrTos.Exists(caps),
        LbrRegisterKind.From => MsrLbrCoreFrom.Exists(caps, Index) || MsrLbrNhmFrom.Exists(caps, Index),
        LbrRegisterKind.To => MsrLbrCoreTo.Exists(caps, Index) || MsrLbrNhmTo.Exists(caps, Index),
        LbrRegisterKind.Info => MsrLbrInfo.Exists(caps, Index),
        _ => false,
    };

    /// <summary>Reserved bits of this stack register for <paramref name="caps"/> (generated masks).</summary>
    public ulong ReservedMask(in PmuCaps caps) => Kind switch
    {
        LbrRegisterKind.Select => MsrLbrSelect.ReservedMask(caps),
        LbrRegisterKind.Tos => MsrLbrTos.ReservedMask(caps),
        LbrRegisterKind.Info => MsrLbrInfo.ReservedMask(caps, Index),
        _ => 0,
    };
}
