namespace MsrGen.Runtime.Tests.Mediated;

/// <summary>
/// Where <c>vmcs.global-ctrl</c> (18 cycles, Mi 2025's "~15-20 cycles per exit") is charged. On
/// Intel, when the mediated vPMU passes GLOBAL_CTRL writes through (the guest has as many GP and
/// fixed counters as the host, kvm_need_perf_global_ctrl_intercept() false), the VM-exit saves the
/// guest's value in the VMCS and vmx_vcpu_run() reads it back after every exit, fastpath ones
/// included (mediated vPMU series v6). With GLOBAL_CTRL intercepted KVM already has the value and
/// reads nothing; AMD has no VMCS. Counted by hand in each case.
/// </summary>
[TestClass]
public sealed class VmcsGlobalCtrlCostTests
{
    [TestMethod]
    // 8 GP + 3 fixed, as a guest gets them: passed through. One slow and two fastpath exits: 3 x 18.
    [DataRow("host sapphire-rapids mediated=on gp=8 fixed=3\nvm vpmu=mediated => ok\n", 54)]
    // The Sapphire Rapids preset has 4 fixed counters and KVM gives a guest 3: intercepted, no read.
    [DataRow("host sapphire-rapids mediated=on\nvm vpmu=mediated => ok\n", 0)]
    // A guest with fewer GP counters than the host: intercepted.
    [DataRow("host sapphire-rapids mediated=on gp=8 fixed=3\nvm vpmu=mediated gp=4 => ok\n", 0)]
    // AMD keeps GLOBAL_CTL in a register the guest writes; KVM reads it with RDMSR, not a VMCS field.
    [DataRow("host zen4 mediated=on\nvm vpmu=mediated => ok\n", 0)]
    // The emulated design intercepts every PMU MSR and never reads the field.
    [DataRow("host sapphire-rapids gp=8 fixed=3\nvm vpmu=emulated => ok\n", 0)]
    public void OneReadPerExitWhenGlobalCtrlIsPassedThrough(string prelude, int cycles) =>
        TestSupport.AssertScenarioHolds("vmcs.pmu", prelude + "guest exits slow=1\nreset metrics\nguest exits slow=1 fastpath=2\n" +
            $"expect cost.vmcs.global-ctrl == {cycles}\nexpect exits == 3\n");
}
