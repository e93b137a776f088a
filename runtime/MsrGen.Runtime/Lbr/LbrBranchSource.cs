namespace MsrGen.Runtime.Lbr;

/// <summary>
/// A deterministic stream of taken branches for one task: calls descend, returns climb back, with
/// conditional branches and jumps in between. Addresses are distinct per owner so that a stack
/// entry identifies who took it even without the ground-truth tag.
/// </summary>
public sealed class LbrBranchSource
{
    private readonly ulong codeBase;
    private ulong state;
    private int callDepth;
    private ulong position;

    /// <param name="codeBase">Start of the task's code; user tasks use low canonical addresses.</param>
    /// <param name="seed">Seed of the xorshift generator (0 is replaced by a fixed constant).</param>
    /// <param name="userMode">Whether the branches are taken at CPL 3.</param>
    public LbrBranchSource(ulong codeBase, ulong seed, bool userMode)
    {
        this.codeBase = codeBase;
        state = seed == 0 ? 0x9E3779B97F4A7C15UL : seed;
        UserMode = userMode;
        position = codeBase;
    }

    public bool UserMode { get; }

    /// <summary>The next branch. Never allocates.</summary>
    public LbrBranch Next()
    {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        int roll = (int)(state % 8);
        LbrBranchKind kind = roll switch
        {
            0 or 1 => callDepth < 24 ? LbrBranchKind.NearRelativeCall : LbrBranchKind.NearReturn,
            2 => callDepth < 24 ? LbrBranchKind.NearIndirectCall : LbrBranchKind.NearReturn,
            3 or 4 => callDepth > 0 ? LbrBranchKind.NearReturn : LbrBranchKind.NearRelativeCall,
            5 or 6 => LbrBranchKind.Conditional,
            _ => LbrBranchKind.NearRelativeJump,
        };
        callDepth += kind switch
        {
            LbrBranchKind.NearRelativeCall or LbrBranchKind.NearIndirectCall => 1,
            LbrBranchKind.NearReturn => -1,
            _ => 0,
        };
        ulong from = position + 4;
        ulong to = codeBase + ((state >> 20) & 0xFFFF0);
        position = to;
        return new LbrBranch(from, to, kind, UserMode, (state & 0x30) == 0, (ushort)(1 + (state >> 48) % 200));
    }
}
