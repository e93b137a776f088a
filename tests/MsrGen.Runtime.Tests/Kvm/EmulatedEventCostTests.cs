namespace MsrGen.Runtime.Tests.Kvm;

/// <summary>
/// Where <c>kvm.emulated-event</c> (120 cycles) is charged. Every instruction KVM retires for the
/// guest goes through kvm_pmu_instruction_retired() (arch/x86/kvm/x86.c
/// kvm_skip_emulated_instruction() after an intercepted RDMSR/WRMSR, and the emulator), and every
/// emulated branch through kvm_pmu_branch_retired(). Both call kvm_pmu_trigger_event() of
/// arch/x86/kvm/pmu.c, which intersects the event's emulation bitmap (counters enabled locally
/// whose select matches; kvm_pmu_recalc_pmc_emulation() does not consult the filter) with
/// GLOBAL_CTRL and returns at once when that is empty; otherwise it walks the counters and checks
/// the filter and the CPL for each. The walk is what the primitive prices, so it is charged once
/// per retired instruction or branch with a non-empty intersection, whether or not a counter then
/// counts, and never otherwise. Expected values are counted by hand in each case's comment.
/// </summary>
[TestClass]
public sealed class EmulatedEventCostTests
{
    private const string Emulated = "host sapphire-rapids\nvm vpmu=emulated => ok\n";
    private const string Mediated = "host sapphire-rapids mediated=on\nvm vpmu=mediated => ok\n";

    // PERFEVTSEL0 = 0x4300c0: instructions retired (event 0xC0, umask 0), USR (bit 16), OS (bit 17), EN (bit 22).
    private const string CountInstructions =
        "guest wrmsr IA32_PERF_GLOBAL_CTRL 0 => ok\nguest wrmsr IA32_PERFEVTSEL0 0x4300c0 => ok\nguest wrmsr IA32_PERF_GLOBAL_CTRL 1 => ok\nreset metrics\n";

    [TestMethod]
    // Three intercepted RDMSRs, each retiring one instruction that counter 0 selects: 3 x 120.
    [DataRow(Emulated, CountInstructions + "guest rdmsr IA32_PERFEVTSEL0\nguest rdmsr IA32_PERFEVTSEL0\nguest rdmsr IA32_PERFEVTSEL0\n" +
        "expect cost.kvm.emulated-event == 360\n")]
    [DataRow(Mediated, CountInstructions + "guest rdmsr IA32_PERFEVTSEL0\nguest rdmsr IA32_PERFEVTSEL0\nguest rdmsr IA32_PERFEVTSEL0\n" +
        "expect cost.kvm.emulated-event == 360\n")]
    // GLOBAL_CTRL = 0 before the reset: the bitmap meets an empty GLOBAL_CTRL, no walk, nothing charged.
    [DataRow(Emulated, "guest wrmsr IA32_PERFEVTSEL0 0x4300c0 => ok\nguest wrmsr IA32_PERF_GLOBAL_CTRL 0 => ok\nreset metrics\n" +
        "guest rdmsr IA32_PERFEVTSEL0\nguest rdmsr IA32_PERFEVTSEL0\nexpect cost.kvm.emulated-event == 0\nexpect exits == 2\n")]
    [DataRow(Mediated, "guest wrmsr IA32_PERFEVTSEL0 0x4300c0 => ok\nguest wrmsr IA32_PERF_GLOBAL_CTRL 0 => ok\nreset metrics\n" +
        "guest rdmsr IA32_PERFEVTSEL0\nguest rdmsr IA32_PERFEVTSEL0\nexpect cost.kvm.emulated-event == 0\nexpect exits == 2\n")]
    // No counter selects instructions (counter 0 counts branches, 0x4300c4): no walk.
    [DataRow(Emulated, "guest wrmsr IA32_PERF_GLOBAL_CTRL 0 => ok\nguest wrmsr IA32_PERFEVTSEL0 0x4300c4 => ok\nguest wrmsr IA32_PERF_GLOBAL_CTRL 1 => ok\n" +
        "reset metrics\nguest rdmsr IA32_PERFEVTSEL0\nexpect cost.kvm.emulated-event == 0\n")]
    // USR only (0x4100c0) at CPL 0: the counter is in the walk, cpl_is_matched() rejects it, and it
    // stays 0 (the GLOBAL_CTRL=1 write before the reset retired at CPL 0 too). Emulated design: four
    // intercepted RDMSRs after the reset (three of the select, one of the counter), 4 x 120; mediated:
    // the counter's RDMSR is passed through and retires natively, 3 x 120.
    [DataRow(Emulated, "guest wrmsr IA32_PERF_GLOBAL_CTRL 0 => ok\nguest wrmsr IA32_PERFEVTSEL0 0x4100c0 => ok\nguest wrmsr IA32_PERF_GLOBAL_CTRL 1 => ok\n" +
        "reset metrics\nguest rdmsr IA32_PERFEVTSEL0\nguest rdmsr IA32_PERFEVTSEL0\nguest rdmsr IA32_PERFEVTSEL0\nguest rdmsr IA32_PMC0 => 0\n" +
        "expect cost.kvm.emulated-event == 480\n")]
    [DataRow(Mediated, "guest wrmsr IA32_PERF_GLOBAL_CTRL 0 => ok\nguest wrmsr IA32_PERFEVTSEL0 0x4100c0 => ok\nguest wrmsr IA32_PERF_GLOBAL_CTRL 1 => ok\n" +
        "reset metrics\nguest rdmsr IA32_PERFEVTSEL0\nguest rdmsr IA32_PERFEVTSEL0\nguest rdmsr IA32_PERFEVTSEL0\nguest rdmsr IA32_PMC0 => 0\n" +
        "expect cost.kvm.emulated-event == 360\n")]
    // A filter that denies instructions: the walk still happens (the bitmap ignores the filter),
    // pmc_event_is_allowed() stops the count, so counter 0 reads 0. The emulated design intercepts
    // both RDMSRs: 2 x 120. The mediated one passes the counter through (the RDMSR of PMC0 retires
    // natively, with no walk): 1 x 120.
    [DataRow(Emulated, "filter deny events=0xc0 => ok\n" + CountInstructions +
        "guest rdmsr IA32_PERFEVTSEL0\nguest rdmsr IA32_PMC0 => 0\nexpect cost.kvm.emulated-event == 240\n")]
    [DataRow(Mediated, "filter deny events=0xc0 => ok\n" + CountInstructions +
        "guest rdmsr IA32_PERFEVTSEL0\nguest rdmsr IA32_PMC0 => 0\nexpect cost.kvm.emulated-event == 120\n")]
    public void IntersectionWithGlobalCtrlDecidesTheCharge(string prelude, string body) => AssertHolds(prelude + body);

    [TestMethod]
    // guest emulate instructions=10 branches=4: 4 steps retire an instruction and a branch, 6 only an
    // instruction. Counter 0 selects instructions and counter 1 branches: 10 + 4 walks = 14 x 120.
    [DataRow("3", "0x4300c4", 1680)]
    // Only counter 0 enabled in GLOBAL_CTRL: the branch bitmap meets GLOBAL_CTRL = 1 empty: 10 x 120.
    [DataRow("1", "0x4300c4", 1200)]
    // Counter 1 also selects instructions: two counters, still one walk per instruction: 10 x 120.
    [DataRow("3", "0x4300c0", 1200)]
    // Nothing enabled: no walk at all.
    [DataRow("0", "0x4300c4", 0)]
    public void EmulatedInstructionsAndBranchesAreWalkedSeparately(string globalCtrl, string select1, int cycles)
    {
        foreach (string prelude in new[] { Emulated, Mediated })
        {
            AssertHolds(prelude +
                "guest wrmsr IA32_PERF_GLOBAL_CTRL 0 => ok\n" +
                "guest wrmsr IA32_PERFEVTSEL0 0x4300c0 => ok\n" +
                $"guest wrmsr IA32_PERFEVTSEL1 {select1} => ok\n" +
                $"guest wrmsr IA32_PERF_GLOBAL_CTRL {globalCtrl} => ok\n" +
                "reset metrics\n" +
                "guest emulate instructions=10 branches=4\n" +
                $"expect cost.kvm.emulated-event == {cycles}\n");
        }
    }

    [TestMethod]
    public void AMediatedFastpathBailOutRetiresItsInstructionThroughTheWalk()
    {
        // Mediated vPMU series v6, patch 28/44: with a counter counting instructions the fastpath
        // refuses, and the full path skips the instruction (kvm_skip_emulated_instruction()), so each
        // of the 10 exits is one walk: 10 x 120. Without such a counter the fastpath handles them and
        // nothing retires through KVM: 0.
        AssertHolds(Mediated + CountInstructions + "guest exits fastpath=10\nexpect cost.kvm.emulated-event == 1200\n");
        AssertHolds(Mediated + "reset metrics\nguest exits fastpath=10\nexpect cost.kvm.emulated-event == 0\n");
    }

    [TestMethod]
    public void AFaultingAccessRetiresNothing()
    {
        // An unknown MSR is a #GP injected into the guest: no instruction retires, no walk.
        AssertHolds(Emulated + CountInstructions + "guest rdmsr 0x10 => #GP\nguest wrmsr 0x10 1 => #GP\nexpect cost.kvm.emulated-event == 0\nexpect exits == 2\n");
    }

    private static void AssertHolds(string text) => TestSupport.AssertScenarioHolds("emulated-event.pmu", text);
}
