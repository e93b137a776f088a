namespace MsrGen.Runtime.Tests.Legacy;

/// <summary>
/// Where <c>perf.read</c> (400 cycles) is charged. The legacy vPMU's pmc_read_counter()
/// (arch/x86/kvm/pmu.h) adds perf_event_read_value() only for a counter whose perf event exists
/// and is not paused, and KVM calls it for a guest RDPMC (kvm_pmu_rdpmc()), an RDMSR of the
/// counter, a counter write (pmc_write_counter() subtracts the current value) and
/// pmc_stop_counter(). The mediated vPMU's pmc_read_counter() returns pmc->counter without perf.
/// So the charge follows the perf read, not the instruction: one per read of a live event, none
/// for a paused or never-created event, a faulting RDPMC, or any mediated access. Expected values
/// are counted by hand in each case's comment.
/// </summary>
[TestClass]
public sealed class PerfReadCostTests
{
    private const string Emulated = "host sapphire-rapids\nvm vpmu=emulated => ok\n";

    // Counter 0 counts instructions (0x4300c0) and is enabled: its perf event is created and running
    // from the entry after the GLOBAL_CTRL write; the guest run makes sure that entry has happened.
    private const string Live =
        "guest wrmsr IA32_PERF_GLOBAL_CTRL 0 => ok\nguest wrmsr IA32_PERFEVTSEL0 0x4300c0 => ok\nguest wrmsr IA32_PERF_GLOBAL_CTRL 1 => ok\n" +
        "guest run instructions=1000\nreset metrics\n";

    [TestMethod]
    // One RDPMC, one RDMSR of the counter: two reads of the live event, 2 x 400.
    [DataRow(Emulated + Live + "guest rdpmc 0\nguest rdmsr IA32_PMC0\nexpect cost.perf.read == 800\n")]
    // A counter write reads the live count first (pmc_write_counter), 1 x 400.
    [DataRow(Emulated + Live + "guest wrmsr IA32_PMC0 5 => ok\nexpect cost.perf.read == 400\n")]
    // GLOBAL_CTRL = 0 pauses the event at the next entry (reprogram_counter: pmc_pause_counter, not
    // resumed while disabled); the RDPMC after it finds it paused: no read.
    [DataRow(Emulated + Live + "guest wrmsr IA32_PERF_GLOBAL_CTRL 0 => ok\nguest rdpmc 0\nexpect cost.perf.read == 0\n")]
    // Counter 1 was never programmed: no perf event, no read.
    [DataRow(Emulated + Live + "guest rdpmc 1\nguest rdmsr IA32_PMC1\nexpect cost.perf.read == 0\n")]
    // An RDPMC of a counter that does not exist faults: nothing is read.
    [DataRow(Emulated + Live + "guest rdpmc 0x20\nexpect cost.perf.read == 0\nexpect exits.rdpmc == 1\n")]
    // The mediated vPMU with fewer GP counters than the host intercepts RDPMC; it reads pmc->counter
    // (or the hardware), never a perf event.
    [DataRow("host sapphire-rapids mediated=on\nvm vpmu=mediated gp=4 => ok\n" + Live +
        "guest rdpmc 0\nexpect exits.rdpmc == 1\nexpect cost.perf.read == 0\n")]
    public void ChargedPerReadOfALiveEvent(string text) => TestSupport.AssertScenarioHolds("perf-read.pmu", text);
}
