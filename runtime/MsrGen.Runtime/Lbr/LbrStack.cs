using System;
using MsrGen.Registers;

namespace MsrGen.Runtime.Lbr;

/// <summary>
/// The model-specific LBR stack of one physical CPU, shaped by its <see cref="PmuCaps"/>: depth
/// (8 entries at the Core addresses, 16 or 32 at the Nehalem+ addresses), LBR_INFO when the format
/// carries it, TOS, the LBR_SELECT filter with call-stack mode, and whether recording is on (the
/// DEBUGCTL.LBR in effect, guest's or host's). Every entry carries a ground-truth owner tag.
/// </summary>
public sealed class LbrStack
{
    private readonly ulong[] from;
    private readonly ulong[] to;
    private readonly ulong[] info;
    private readonly LbrBranchKind[] kind;
    private readonly LbrOwner[] owner;

    public LbrStack(in PmuCaps caps)
    {
        Caps = caps;
        Depth = caps.Lbr ? Math.Clamp(caps.LbrDepth, 1, MsrLbrNhmFrom.Maximum) : 0;
        HasInfo = caps.LbrInfo;
        from = new ulong[Depth];
        to = new ulong[Depth];
        info = new ulong[Depth];
        kind = new LbrBranchKind[Depth];
        owner = new LbrOwner[Depth];
    }

    public PmuCaps Caps { get; }

    public int Depth { get; }

    /// <summary>LBR_INFO MSRs exist (format 5 and later).</summary>
    public bool HasInfo { get; }

    /// <summary>FROM + TO (+ INFO) per entry, plus TOS and LBR_SELECT: what a full save or restore touches.</summary>
    public int StateMsrCount => Depth * (HasInfo ? 3 : 2) + 2;

    public int Tos { get; private set; }

    public MsrLbrSelect Select { get; private set; }

    /// <summary>DEBUGCTL.LBR as the CPU currently applies it.</summary>
    public bool Recording { get; set; }

    /// <summary>Records a taken branch if recording is on and LBR_SELECT lets it through.</summary>
    public bool Record(in LbrBranch branch, LbrOwner by)
    {
        if (!Recording || Depth == 0 || !LbrFilter.Records(Select, branch))
        {
            return false;
        }

        if (Select.EnCallstack && branch.IsReturn)
        {
            // Call-stack mode: a return pops the call it returns from instead of being recorded.
            if (owner[Tos].Kind != LbrOwnerKind.Nobody && (kind[Tos] is LbrBranchKind.NearRelativeCall or LbrBranchKind.NearIndirectCall))
            {
                Clear(Tos);
                Tos = (Tos + Depth - 1) % Depth;
            }

            return true;
        }

        Tos = (Tos + 1) % Depth;
        from[Tos] = branch.From;
        to[Tos] = branch.To;
        info[Tos] = HasInfo
            ? MsrLbrInfo.Zero.WithMispred(branch.Mispredicted).WithBrType((byte)branch.Kind)
                .WithCycCntValid(true).WithCycleCount(branch.Cycles).Value
            : 0;
        kind[Tos] = branch.Kind;
        owner[Tos] = by;
        return true;
    }

    /// <summary>
    /// Records <paramref name="count"/> branches from <paramref name="source"/>. Outside call-stack
    /// mode only the last <see cref="Depth"/> can survive, so only the last 2 × depth are drawn.
    /// </summary>
    public void RecordMany(LbrBranchSource source, ulong count, LbrOwner by)
    {
        ulong kept = !Select.EnCallstack && count > (ulong)(2 * Depth) ? (ulong)(2 * Depth) : count;
        global::MsrGen.Runtime.Metrics.WorkMeter.Charge(kept, "LBR records");
        for (ulong i = 0; i < kept; i++)
        {
            Record(source.Next(), by);
        }
    }

    /// <summary>The owner of the entry at logical position <paramref name="age"/> (0 = TOS, newest).</summary>
    public LbrOwner OwnerAt(int age) => owner[Slot(age)];

    public int Slot(int age) => ((Tos - age) % Depth + Depth) % Depth;

    /// <summary>RDMSR of a stack register as the hardware does it (no interception logic here).</summary>
    public MsrAccessResult Read(LbrRegister register, out ulong value, out LbrOwner truth)
    {
        truth = LbrOwner.Nobody;
        value = 0;
        switch (register.Kind)
        {
            case LbrRegisterKind.Select:
                value = Select.Value;
                return MsrAccessResult.Ok;
            case LbrRegisterKind.Tos:
                value = MsrLbrTos.Zero.WithTos((byte)Tos).Value;
                return MsrAccessResult.Ok;
            case LbrRegisterKind.From when register.Index < Depth:
                value = from[register.Index];
                truth = owner[register.Index];
                return MsrAccessResult.Ok;
            case LbrRegisterKind.To when register.Index < Depth:
                value = to[register.Index];
                truth = owner[register.Index];
                return MsrAccessResult.Ok;
            case LbrRegisterKind.Info when HasInfo && register.Index < Depth:
                value = info[register.Index];
                truth = owner[register.Index];
                return MsrAccessResult.Ok;
            default:
                return MsrAccessResult.GeneralProtection;
        }
    }

    /// <summary>
    /// WRMSR of a stack register. <paramref name="by"/> is the ground-truth owner of what is written
    /// (a restore writes back the tags it saved; a wipe writes <see cref="LbrOwner.Nobody"/>).
    /// </summary>
    public MsrAccessResult Write(LbrRegister register, ulong value, LbrOwner by)
    {
        if ((value & register.ReservedMask(Caps)) != 0)
        {
            return MsrAccessResult.GeneralProtection;
        }

        switch (register.Kind)
        {
            case LbrRegisterKind.Select:
                Select = MsrLbrSelect.FromRawUnchecked(value);
                return MsrAccessResult.Ok;
            case LbrRegisterKind.Tos:
                Tos = MsrLbrTos.FromRawUnchecked(value).Tos % Math.Max(Depth, 1);
                return MsrAccessResult.Ok;
            case LbrRegisterKind.From when register.Index < Depth:
                from[register.Index] = value;
                owner[register.Index] = value == 0 && to[register.Index] == 0 ? LbrOwner.Nobody : by;
                return MsrAccessResult.Ok;
            case LbrRegisterKind.To when register.Index < Depth:
                to[register.Index] = value;
                owner[register.Index] = value == 0 && from[register.Index] == 0 ? LbrOwner.Nobody : by;
                return MsrAccessResult.Ok;
            case LbrRegisterKind.Info when HasInfo && register.Index < Depth:
                info[register.Index] = value;
                kind[register.Index] = (LbrBranchKind)MsrLbrInfo.FromRawUnchecked(value).BrType;
                return MsrAccessResult.Ok;
            default:
                return MsrAccessResult.GeneralProtection;
        }
    }

    /// <summary>Saves the whole state into <paramref name="snapshot"/>; returns the RDMSRs it took.</summary>
    public int SaveTo(LbrSnapshot snapshot)
    {
        snapshot.Capture(from, to, info, kind, owner, Tos, Select.Value);
        return StateMsrCount;
    }

    /// <summary>Restores the whole state from <paramref name="snapshot"/>; returns the WRMSRs it took.</summary>
    public int RestoreFrom(LbrSnapshot snapshot)
    {
        snapshot.Apply(from, to, info, kind, owner, out int tos, out ulong select);
        Tos = tos % Math.Max(Depth, 1);
        Select = MsrLbrSelect.FromRawUnchecked(select);
        return StateMsrCount;
    }

    /// <summary>Writes zeros to every entry and TOS (perf's LBR reset); returns the WRMSRs it took.</summary>
    public int Wipe()
    {
        for (int i = 0; i < Depth; i++)
        {
            Clear(i);
        }

        Tos = 0;
        return Depth * (HasInfo ? 3 : 2) + 1;
    }

    private void Clear(int slot)
    {
        from[slot] = 0;
        to[slot] = 0;
        info[slot] = 0;
        kind[slot] = LbrBranchKind.Conditional;
        owner[slot] = LbrOwner.Nobody;
    }
}
