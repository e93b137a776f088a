namespace MsrGen.Runtime.Lbr;

/// <summary>
/// The kind of a taken branch, numbered as the BR_TYPE encoding of LBR_INFO (SDM Vol. 3B,
/// architectural LBR branch types), so the value can go into the register field unchanged.
/// </summary>
public enum LbrBranchKind : byte
{
    Conditional = 0,
    NearIndirectJump = 1,
    NearRelativeJump = 2,
    NearIndirectCall = 3,
    NearRelativeCall = 4,
    NearReturn = 5,
    Far = 8,
}

/// <summary>
/// Who really took a recorded branch. The model tags every LBR entry with it; the guest never sees
/// the tag (it reads only FROM/TO/INFO), it only serves to judge pollution against ground truth.
/// </summary>
public readonly record struct LbrOwner(LbrOwnerKind Kind, int Id)
{
    public static LbrOwner Nobody => default;

    public static LbrOwner GuestTask(int task) => new(LbrOwnerKind.GuestTask, task);

    public static LbrOwner HostThread(int thread) => new(LbrOwnerKind.HostThread, thread);

    public bool IsHost => Kind == LbrOwnerKind.HostThread;

    public override string ToString() => Kind switch
    {
        LbrOwnerKind.GuestTask => "guest-task-" + Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        LbrOwnerKind.HostThread => "host-thread-" + Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => "nobody",
    };
}

public enum LbrOwnerKind : byte
{
    /// <summary>An empty entry (reset value, or written as zero).</summary>
    Nobody = 0,
    GuestTask = 1,
    HostThread = 2,
}

/// <summary>One taken branch: where from, where to, what kind, at which privilege level.</summary>
public readonly record struct LbrBranch(ulong From, ulong To, LbrBranchKind Kind, bool UserMode, bool Mispredicted, ushort Cycles)
{
    public bool IsCall => Kind is LbrBranchKind.NearRelativeCall or LbrBranchKind.NearIndirectCall;

    public bool IsReturn => Kind == LbrBranchKind.NearReturn;
}
