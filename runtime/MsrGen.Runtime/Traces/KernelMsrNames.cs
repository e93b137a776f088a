using MsrGen.Registers;

namespace MsrGen.Runtime.Traces;

/// <summary>
/// The name Linux gives a register in arch/x86/include/asm/msr-index.h (what a kernel developer greps
/// for), next to the SDM name the catalog uses. It comes from the definition's 'kernel' line: an array
/// whose header defines only the first instance prints it with an offset
/// (<c>MSR_ARCH_PERFMON_EVENTSEL0+3</c>), as perf computes the others.
/// </summary>
public static class KernelMsrNames
{
    public static string? Of(MsrRef register) => MsrCatalog.Describe(register.Id)?.KernelNameOf(register.Index);
}
