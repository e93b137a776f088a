using MsrGen.Registers;

namespace MsrGen.Runtime.Lbr;

/// <summary>MSR_LBR_SELECT as a filter: a set bit suppresses that kind of branch.</summary>
public static class LbrFilter
{
    /// <summary>Whether the hardware records <paramref name="branch"/> under <paramref name="select"/>.</summary>
    public static bool Records(MsrLbrSelect select, in LbrBranch branch)
    {
        if (branch.UserMode ? select.CplNeq0 : select.CplEq0)
        {
            return false;
        }

        return branch.Kind switch
        {
            LbrBranchKind.Conditional => !select.Jcc,
            LbrBranchKind.NearRelativeCall => !select.NearRelCall,
            LbrBranchKind.NearIndirectCall => !select.NearIndCall,
            LbrBranchKind.NearReturn => !select.NearRet,
            LbrBranchKind.NearIndirectJump => !select.NearIndJmp,
            LbrBranchKind.NearRelativeJump => !select.NearRelJmp,
            _ => !select.FarBranch,
        };
    }

    /// <summary>
    /// What guest perf programs for user call-stack mode: only user calls and returns, call-stack on
    /// (kernel branches, conditionals, jumps and far branches suppressed).
    /// </summary>
    public static MsrLbrSelect UserCallStack => MsrLbrSelect.Zero
        .WithEnCallstack(true).WithCplEq0(true).WithJcc(true).WithNearRelJmp(true)
        .WithNearIndJmp(true).WithFarBranch(true);

    /// <summary>What guest perf programs for plain branch sampling: every branch at every level.</summary>
    public static MsrLbrSelect AnyBranch => MsrLbrSelect.Zero;
}
