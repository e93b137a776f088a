using System.Globalization;

namespace MsrGen.Runtime.Tests.Traces;

/// <summary>
/// Builds trace lines with the field widths of the printers that produce them, so the tests read
/// text in the exact layouts the tools write:
/// <list type="bullet">
/// <item>ftrace: kernel/trace/trace_output.c, trace_print_context(): <c>"%16s-%-7d "</c>, an optional
/// <c>"(%7d) "</c> TGID, <c>"[%03d] "</c>, the irq-info flags, <c>" %5lu.%06lu: "</c>, then the
/// event name, <c>": "</c> and the TP_printk text;</item>
/// <item>trace-cmd report (tracecmd/trace-read.c, print_event()): <c>"%16s-%-5d [%03d]"</c>, the time
/// as <c>" SECS.USECS:"</c>, then <c>" %s: "</c> with the name padded to 20 columns;</item>
/// <item>perf script (tools/perf/builtin-script.c, perf_sample__fprintf_start()): <c>"%16s "</c>,
/// <c>"%7d "</c>, <c>"[%03d] "</c>, <c>"%12s: "</c> (or <c>"%5lu.%09llu: "</c> with --ns), then
/// <c>"%*s: "</c> with the event's <c>system:name</c>.</item>
/// </list>
/// The payloads follow the TP_printk strings: the msr events <c>"%x, value %llx%s"</c> with
/// <c>" #GP"</c>, kvm_msr <c>"msr_%s %x = 0x%llx%s"</c> with <c>" (#GP)"</c>.
/// </summary>
internal static class TraceText
{
    public static string MsrPayload(uint msr, ulong value, bool failed = false) =>
        string.Create(CultureInfo.InvariantCulture, $"{msr:x}, value {value:x}{(failed ? " #GP" : "")}");

    public static string KvmPayload(bool write, uint msr, ulong value, bool failed = false) =>
        string.Create(CultureInfo.InvariantCulture, $"msr_{(write ? "write" : "read")} {msr:x} = 0x{value:x}{(failed ? " (#GP)" : "")}");

    public static string Ftrace(string comm, int pid, int cpu, string? flags, ulong ns, string evt, string payload, int? tgid = null)
    {
        string task = string.Create(CultureInfo.InvariantCulture, $"{comm,16}-{pid,-7} ");
        string group = tgid is int t ? string.Create(CultureInfo.InvariantCulture, $"({t,7}) ") : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{task}{group}[{cpu:D3}] {flags ?? ""} {ns / 1_000_000_000,5}.{ns % 1_000_000_000 / 1000:D6}: {evt}: {payload}");
    }

    public static string TraceCmd(string comm, int pid, int cpu, ulong ns, string evt, string payload) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{comm,16}-{pid,-5} [{cpu:D3}] {ns / 1_000_000_000,5}.{ns % 1_000_000_000 / 1000:D6}: {evt}: {new string(' ', System.Math.Max(0, 20 - evt.Length))}{payload}");

    public static string PerfScript(string comm, int tid, int cpu, ulong ns, string evt, string payload, int nameWidth = 14, bool nanoseconds = false)
    {
        string time = nanoseconds
            ? string.Create(CultureInfo.InvariantCulture, $"{ns / 1_000_000_000,5}.{ns % 1_000_000_000:D9}: ")
            : string.Create(CultureInfo.InvariantCulture, $"{$"{ns / 1_000_000_000}.{ns % 1_000_000_000 / 1000:D6}",12}: ");
        return string.Create(CultureInfo.InvariantCulture, $"{comm,16} {tid,7} [{cpu:D3}] {time}{evt.PadLeft(nameWidth)}: {payload}");
    }

    /// <summary>The header /sys/kernel/tracing/trace prints with irq-info on (kernel/trace/trace.c, print_func_help_header_irq()).</summary>
    public const string FtraceHeader =
        "# tracer: nop\n" +
        "#\n" +
        "# entries-in-buffer/entries-written: 6/6   #P:4\n" +
        "#\n" +
        "#                                _-----=> irqs-off/BH-disabled\n" +
        "#                               / _----=> need-resched\n" +
        "#                              | / _---=> hardirq/softirq\n" +
        "#                              || / _--=> preempt-depth\n" +
        "#                              ||| / _-=> migrate-disable\n" +
        "#                              |||| /     delay\n" +
        "#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION\n" +
        "#              | |         |   |||||     |         |\n";
}
