using System;

namespace MsrGen.Runtime.Lbr;

/// <summary>
/// A saved LBR stack (what a save/restore moves), with the ground-truth tags travelling alongside.
/// Buffers are allocated once for the depth, so saving and restoring never allocate.
/// </summary>
public sealed class LbrSnapshot
{
    private readonly ulong[] from;
    private readonly ulong[] to;
    private readonly ulong[] info;
    private readonly LbrBranchKind[] kind;
    private readonly LbrOwner[] owner;
    private int tos;
    private ulong select;

    public LbrSnapshot(int depth)
    {
        from = new ulong[depth];
        to = new ulong[depth];
        info = new ulong[depth];
        kind = new LbrBranchKind[depth];
        owner = new LbrOwner[depth];
    }

    /// <summary>Holds a state that may be restored.</summary>
    public bool Valid { get; private set; }

    public void Invalidate() => Valid = false;

    internal void Capture(ulong[] f, ulong[] t, ulong[] i, LbrBranchKind[] k, LbrOwner[] o, int topOfStack, ulong selectValue)
    {
        f.AsSpan().CopyTo(from);
        t.AsSpan().CopyTo(to);
        i.AsSpan().CopyTo(info);
        k.AsSpan().CopyTo(kind);
        o.AsSpan().CopyTo(owner);
        tos = topOfStack;
        select = selectValue;
        Valid = true;
    }

    internal void Apply(ulong[] f, ulong[] t, ulong[] i, LbrBranchKind[] k, LbrOwner[] o, out int topOfStack, out ulong selectValue)
    {
        from.AsSpan().CopyTo(f);
        to.AsSpan().CopyTo(t);
        info.AsSpan().CopyTo(i);
        kind.AsSpan().CopyTo(k);
        owner.AsSpan().CopyTo(o);
        topOfStack = tos;
        selectValue = select;
    }
}
