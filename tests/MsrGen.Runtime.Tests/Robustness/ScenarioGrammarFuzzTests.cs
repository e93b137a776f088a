using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using CsCheck;
using MsrGen.Runtime.Runner;
using MsrGen.Scenarios;

namespace MsrGen.Runtime.Tests.Robustness;

/// <summary>
/// Whole scenario files generated from the grammar of docs/scenarios.md: every statement and key,
/// every preset, both vendors, both vPMU flavours, values from each key's valid range, its edges
/// (0, max, max+1, -1, 2^31, 2^63, 2^64-1) and junk. Every file must end within the work budget,
/// nothing may escape as an exception or an internal error, and a malformed file (exit code 2)
/// must say where. A few hundred files run by default; set MSRGEN_FUZZ_SCENARIOS=N for N files
/// (and MSRGEN_FUZZ_SEED to replay a seed CsCheck printed). A shrunk failure belongs in
/// Robustness/Regressions/ as a .pmu file, which <see cref="RegressionFilesStayFixed"/> runs.
/// </summary>
[TestClass]
public sealed class ScenarioGrammarFuzzTests
{
    /// <summary>The budget each generated file runs under (small, so that thousands of files run quickly).</summary>
    private static readonly ScenarioRunOptions Budget = new() { WorkLimit = 20_000 };

    private const string FileName = "fuzz.pmu";

    private static readonly string[] Presets = ["intel-v2", "skylake-server", "icelake-server", "sapphire-rapids", "zen4", "native"];

    private static readonly string[] Registers =
    [
        "IA32_PMC0", "IA32_PMC3", "IA32_PMC7", "IA32_A_PMC1", "IA32_PERFEVTSEL0", "IA32_PERFEVTSEL2", "IA32_FIXED_CTR0", "IA32_FIXED_CTR3",
        "IA32_FIXED_CTR_CTRL", "IA32_PERF_GLOBAL_CTRL", "IA32_PERF_GLOBAL_STATUS", "IA32_PERF_GLOBAL_OVF_CTRL",
        "IA32_PERF_CAPABILITIES", "MSR_PERF_METRICS", "IA32_DEBUGCTL", "MSR_F15H_PERF_CTL0", "MSR_F15H_PERF_CTR3",
        "MSR_K7_EVNTSEL1", "MSR_AMD64_PERF_CNTR_GLOBAL_CTL", "MSR_AMD64_PERF_CNTR_GLOBAL_STATUS", "MSR_LBR_TOS",
        "0x10", "0xc1", "0x186", "0x38f", "0xc0010200", "0x4b564d05", "0xffffffff", "NO_SUCH_MSR",
    ];

    private static readonly string[] Events =
        ["instructions", "branches", "branch-misses", "cycles", "ref-cycles", "llc-references", "llc-misses", "raw:0xc0", "raw:0x01c2", "raw:0x1c0", "raw:0x01a4", "raw:0xfffff"];

    private static readonly string[] InvalidEvents = ["raw:0x100000", "raw:12", "flops"];

    private static readonly string[] Metrics =
    [
        "entries", "exits", "exits.msr", "exits.rdpmc", "gp", "pmis", "hw.msr-reads", "hw.msr-writes", "hw.rdpmc", "perf.creates",
        "perf.releases", "cost", "exits.fastpath", "exits.other", "count.lost", "count.error-ppm", "cost.vmexit",
        "hw.writes.ia32_perfevtsel0", "hw.reads.ia32_pmc0", "lbr.entries-lost",
    ];

    private static readonly string[] Junk = ["", "0x", "1_", "_1", "0x_1", "abc", "-", "--1", "1e3", "0b101", "#", "=>", "é", "18446744073709551616"];

    private static readonly ulong[] Edges = [0, 1, 1UL << 31, 1UL << 63, ulong.MaxValue, (1UL << 32) - 1, 1UL << 32];

    private static Gen<string> Word(params string[] words) => Gen.OneOf(words.Select(Gen.Const).ToArray());

    /// <summary>Valid words, and in a hostile file now and then one of the invalid ones.</summary>
    private static Gen<string> Word(bool hostile, string[] valid, params string[] invalid) =>
        hostile && invalid.Length > 0 ? Gen.Frequency((4, Word(valid)), (1, Word(invalid))) : Word(valid);

    private static string Format(ulong value, bool hex) =>
        hex ? "0x" + value.ToString("x", CultureInfo.InvariantCulture) : value.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// A number for a key whose valid range is min..max: inside it (its edges included), and in a
    /// hostile file also past the edges, the edges of 64 bits, "negative" numbers, or junk.
    /// </summary>
    private static Gen<string> Number(ulong min, ulong max, bool hostile)
    {
        var inside = Gen.Frequency(
            (6, Gen.Select(Gen.ULong[min, Math.Min(max, min + 100_000)], Gen.Bool, Format)),
            (2, Gen.Select(Gen.ULong[min, max], Gen.Bool, Format)),
            (2, Gen.Select(Gen.OneOf(Gen.Const(min), Gen.Const(max)), Gen.Bool, Format)));
        if (!hostile)
        {
            return inside;
        }

        return Gen.Frequency(
            (8, inside),
            (2, Gen.Select(Gen.OneOf(Gen.Const(max == ulong.MaxValue ? max : max + 1), Gen.Const(min == 0 ? 0 : min - 1)), Gen.Bool, Format)),
            (2, Gen.Select(Gen.OneOf(Edges.Select(Gen.Const).ToArray()), Gen.Bool, Format)),
            (1, Gen.Const("-1")),
            (1, Gen.OneOf(Gen.Const("-0x10"), Gen.ULong[1, 100].Select(v => "-" + v.ToString(CultureInfo.InvariantCulture)))),
            (1, Word(Junk)));
    }

    /// <summary>A count (64-bit, any value is valid): mostly modest, sometimes huge.</summary>
    private static Gen<string> Count(bool hostile) => Gen.Frequency(
        (8, Gen.ULong[0, 100_000].Select(v => v.ToString(CultureInfo.InvariantCulture))),
        (hostile ? 4 : 1, Number(0, ulong.MaxValue, hostile)));

    private static Gen<string> Pair(string key, Gen<string> value) => value.Select(v => key + "=" + v);

    /// <summary>The values of <paramref name="parts"/> joined by spaces.</summary>
    private static Gen<string> Concat(IEnumerable<Gen<string>> parts) =>
        parts.Aggregate(Gen.Const(string.Empty), (joined, part) => Gen.Select(joined, part, (a, b) => a.Length == 0 ? b : b.Length == 0 ? a : a + " " + b));

    /// <summary>Some of the keys (each at most once, rotated into a random order); in a hostile file now and then one twice.</summary>
    private static Gen<string> Keys(bool hostile, params Gen<string>[] pairs) =>
        Gen.Select(Gen.Int[0, 3].Array[pairs.Length, pairs.Length], Gen.Int[0, 20], Gen.Int[0, 1000])
            .SelectMany(t =>
            {
                var chosen = pairs.Where((_, i) => t.Item1[i] == 0).ToList();
                if (hostile && t.Item2 == 0)
                {
                    chosen.Add(pairs[t.Item3 % pairs.Length]);
                }

                int rotate = chosen.Count == 0 ? 0 : t.Item3 % chosen.Count;
                return Concat(chosen.Skip(rotate).Concat(chosen.Take(rotate)));
            });

    private static Gen<string> Switch(string key, bool hostile) => Word(hostile, [key + "=on", key + "=off"], key + "=maybe");

    private static Gen<string> Result(bool hostile, params string[] results) =>
        Gen.Frequency((3, Gen.Const(string.Empty)), (3, Word(results).Select(r => " => " + r)),
            (hostile ? 1 : 0, Word("=> 5", "=> > 3", "=> #GP", "=> ok", "=> EBUSY", "=> clean", "=>")));

    private static Gen<string> Line(Gen<string> head, Gen<string> rest, Gen<string> result) =>
        Gen.Select(head, rest, result, (h, r, x) => (h + " " + r).TrimEnd() + x);

    private static Gen<string> HostLine(bool h) => Line(
        Word(Presets).Select(p => "host " + p),
        Keys(h,
            Word("vendor=intel", "vendor=amd"),
            Pair("version", Number(0, 6, h)), Pair("gp", Number(0, 32, h)), Pair("fixed", Number(0, 16, h)), Pair("gp-width", Number(1, 64, h)),
            Pair("fixed-width", Number(0, 64, h)), Pair("perf-caps", Number(0, ulong.MaxValue, h)), Pair("lbr-depth", Number(0, 64, h)),
            Switch("tsx", h), Switch("arch-lbr", h), Switch("vmware-backdoor", h), Switch("mediated", h), Switch("pmu", h)),
        Gen.Const(string.Empty));

    private static Gen<string> VmLine(bool h) => Line(
        Word(h, ["vm vpmu=emulated", "vm vpmu=mediated", "vm vpmu=off"], "vm", "vm vpmu=legacy"),
        Keys(h,
            Pair("version", Number(0, 255, h)), Pair("gp", Number(0, 255, h)), Pair("fixed", Number(0, 31, h)), Pair("gp-width", Number(0, 255, h)),
            Pair("fixed-width", Number(0, 255, h)), Pair("perf-caps", Number(0, ulong.MaxValue, h)), Pair("events-mask-len", Number(0, 255, h)),
            Pair("events-unavailable", Number(0, uint.MaxValue, h)), Pair("vcpus", Number(1, 64, h)), Switch("pdcm", h), Switch("tsx", h),
            Switch("perfctr-core", h), Word(h, ["name=a", "name=b"], "name=9bad"),
            Word("placement=exit", "placement=run-loop", "placement=vcpu-load", "placement=owned", "placement=dirty-only"),
            Switch("grouped-metrics", h), Switch("pv-lbr", h), Switch("irqchip", h), Word("host-callback=on", "host-callback=defer", "host-callback=off"),
            Word("lbr=pv", "lbr=lazy", "lbr=timer", "lbr=kvm", "lbr=always", "lbr=none"), Pair("lbr-window", Number(0, long.MaxValue, h)),
            Pair("lbr-depth", Number(0, 64, h)), Word("profile=upstream", "profile=pv-lbr-2018")),
        Result(h, "ok", "EBUSY", "error"));

    private static Gen<string> EventPairs(int max, bool h) =>
        Gen.Select(Word(h, Events, InvalidEvents), Count(h), (e, n) => e + "=" + n).Array[1, max]
            .Select(p => string.Join(' ', h ? p : p.DistinctBy(x => x.Split('=')[0])));

    private static Gen<string> Msr(bool h) => Gen.Frequency((5, Word(h, Registers, "NO_SUCH_MSR", "0x1_0000_0000")), (1, Number(0, uint.MaxValue, h)));

    private static Gen<string> Statement(bool h) => Gen.Frequency(
        (2, HostLine(h)),
        (3, VmLine(h)),
        (1, Word(h, ["title Fuzzed file", "describe generated from the grammar", "report group=fuzz design=x"], "report", "title")),
        (1, Word("vm destroy", "vm use a", "vm use b", "reset metrics", "vcpu sched-out", "vcpu sched-in", "vcpu userspace")),
        (1, Gen.Select(Word(h, ["vmexit", "wrmsr", "pmi.inject", "kvm.emulated-event"], "warp-drive"), Number(0, ulong.MaxValue, h), (p, n) => $"cost {p}={n}")),
        (1, Number(0, 63, h).Select(n => "vcpu " + n)),
        (1, Count(h).Select(n => "idle " + n)),
        (6, Gen.Select(Msr(h), Number(0, ulong.MaxValue, h), Result(h, "ok", "#GP"), (m, v, r) => $"guest wrmsr {m} {v}{r}")),
        (4, Gen.Select(Msr(h), Result(h, "0", "> 0", "ok", "#GP"), (m, r) => $"guest rdmsr {m}{r}")),
        (2, Gen.Select(Number(0, uint.MaxValue, h), Result(h, "0", ">= 0", "#GP"), (e, r) => $"guest rdpmc {e}{r}")),
        (1, Word(h, ["guest cpl 0", "guest cpl 3", "guest cr4.pce on", "guest cr4.pce off"], "guest cpl 1")),
        (1, Number(0, uint.MaxValue, h).Select(v => "guest lvtpc write " + v)),
        (1, Result(h, "0x10000", "!= 0").Select(r => "guest lvtpc read" + r)),
        (5, EventPairs(4, h).Select(p => "guest run " + p)),
        (2, EventPairs(2, h).Select(p => "guest emulate " + p)),
        (2, Keys(h, Pair("fastpath", Count(h)), Pair("slow", Count(h))).Select(k => ("guest exits " + k).TrimEnd())),
        (1, Count(h).Select(n => "guest branches " + n)),
        (1, Word("guest lbr callstack on", "guest lbr callstack off", "guest context-switch", "guest pmi", "guest lbr read", "guest lbr read => clean", "guest lbr read => polluted")),
        (2, Gen.Select(Msr(h), Number(0, ulong.MaxValue, h), Result(h, "ok", "error"), (m, v, r) => $"host wrmsr {m} {v}{r}")),
        (2, Gen.Select(Msr(h), Result(h, "0", "ok", "error", ">= 1"), (m, r) => $"host rdmsr {m}{r}")),
        (3, Line(
            Gen.Select(Word("a", "b", "c", "lbrs"), Word(h, Events, InvalidEvents), (n, e) => $"host perf open {n} {e}"),
            Keys(h, Word("exclude-guest"), Word("pinned"), Word("disabled"), Word("exclude-host"), Word("lbr"), Pair("period", Number(0, ulong.MaxValue, h)),
                Pair("cpu", Number(0, 63, h)), Word(h, ["group=a"], "group=zz")),
            Result(h, "ok", "EBUSY", "EOPNOTSUPP", "EINVAL", "error"))),
        (1, Word("a", "b", "c", "lbrs").Select(n => $"host perf close {n}")),
        (1, Gen.Select(Word("a", "b", "c", "lbrs"), Result(h, "0", ">= 0"), (n, r) => $"host perf read {n}{r}")),
        (1, Gen.Select(Word("a", "b", "c", "lbrs"), Word("", " at=guest-mode", " at=run-loop", " at=outside"), Result(h, "ok", "error", "EBUSY"), (n, at, r) => $"host perf enable {n}{at}{r}")),
        (1, Gen.Select(Word("a", "b", "c", "lbrs"), Result(h, "ok", "error"), (n, r) => $"host perf disable {n}{r}")),
        (3, EventPairs(3, h).Select(p => "host run " + p)),
        (1, Count(h).Select(n => "host thread branches=" + n)),
        (2, Line(
            Word("filter allow", "filter deny"),
            Keys(h, Gen.Select(Number(0, ulong.MaxValue, h).Array[1, 4], v => "events=" + string.Join(',', v)), Pair("fixed-bitmap", Number(0, uint.MaxValue, h)), Word("masked")),
            Result(h, "ok", "EINVAL", "E2BIG", "EBUSY", "error"))),
        (4, Gen.Select(Word(h, Metrics, "no.such-metric", "Bad/Metric"), Word("==", "!=", "<", "<=", ">", ">="), Number(0, ulong.MaxValue, h), (m, op, n) => $"expect {m} {op} {n}")),
        (h ? 1 : 0, Word(Junk).Select(j => "frobnicate " + j)));

    /// <summary>A whole file: a host line (or the default host), a VM, then statements; hostile files take invalid values too.</summary>
    private static readonly Gen<string> ScenarioFile = Gen.Frequency((3, Gen.Const(false)), (2, Gen.Const(true))).SelectMany(h => Gen.Select(
        Gen.Frequency((3, HostLine(h)), (1, Gen.Const(string.Empty))),
        VmLine(h),
        Statement(h).Array[0, 25],
        (host, vm, lines) => string.Join('\n', new[] { host, vm }.Concat(lines)) + "\n"));

    private static int Iterations => int.TryParse(Environment.GetEnvironmentVariable("MSRGEN_FUZZ_SCENARIOS"), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : 300;

    private static string? Seed => Environment.GetEnvironmentVariable("MSRGEN_FUZZ_SEED") is { Length: > 0 } seed ? seed : null;

    [TestMethod]
    public void GeneratedFilesEndWithinTheBudgetAndNeverFailInternally()
    {
        int files = 0, malformed = 0, ran = 0;
        ScenarioFile.Sample(text =>
        {
            var outcome = ScenarioRunner.RunText(FileName, text, Budget);
            CheckOutcome(outcome, text, FileName);
            files++;
            if (outcome.Malformed)
            {
                malformed++;
            }
            else
            {
                ran++;
            }
        }, iter: Iterations, seed: Seed, threads: 1, print: text => "\n" + text);

        Console.WriteLine($"scenario fuzzer: {files} files, {ran} ran to the end or a failure, {malformed} malformed (exit 2)");
        // The generator must exercise both sides: files that run and files that are rejected.
        Assert.IsGreaterThan(files / 10, ran, "too few generated files were well-formed");
        Assert.IsGreaterThan(files / 10, malformed, "too few generated files were malformed");
    }

    /// <summary>
    /// The mediated vPMU's switch replay (MediatedVpmu.Replay.cs) is an optimisation of the
    /// simulator: every generated file must report the same figures with it and without it.
    /// </summary>
    [TestMethod]
    public void GeneratedFilesGiveTheSameFiguresWithSwitchesReplayedOrPerformed()
    {
        var performed = Budget with { ReplaySwitches = false };
        ScenarioFile.Sample(text =>
        {
            var replayedOutcome = ScenarioRunner.RunText(FileName, text, Budget);
            var performedOutcome = ScenarioRunner.RunText(FileName, text, performed);
            Assert.AreEqual(Mediated.MediatedSwitchReplayTests.Describe(performedOutcome), Mediated.MediatedSwitchReplayTests.Describe(replayedOutcome), text);
        }, iter: Iterations, seed: Seed, threads: 1, print: text => "\n" + text);
    }

    [TestMethod]
    public void RegressionFilesStayFixed()
    {
        var directory = Path.Combine(TestSupport.RepositoryRoot(), "tests", "MsrGen.Runtime.Tests", "Robustness", "Regressions");
        var paths = Directory.GetFiles(directory, "*.pmu").Order(StringComparer.Ordinal).ToList();
        Assert.IsNotEmpty(paths);
        foreach (var path in paths)
        {
            string text = System.IO.File.ReadAllText(path);
            var outcome = ScenarioRunner.RunFile(path, Budget);
            CheckOutcome(outcome, text, path);
            // Each file says in its first line what it must end with: "# expect: exit N".
            int expected = int.Parse(text.Split('\n')[0].Split("exit ")[1].Split(' ')[0].Trim(), CultureInfo.InvariantCulture);
            var summary = ScenarioRunner.Print([outcome], new StringWriter(), new StringWriter());
            Assert.AreEqual(expected, summary.ExitCode, path + "\n" + string.Join("\n", outcome.Errors));
        }
    }

    /// <summary>The properties every file must have, well-formed or not.</summary>
    private static void CheckOutcome(ScenarioOutcome outcome, string text, string path)
    {
        Assert.IsFalse(outcome.Internal, $"internal error on:\n{text}\n{string.Join("\n", outcome.InternalErrors.Select(e => e.Detail))}");
        Assert.IsLessThanOrEqualTo(Budget.WorkLimit, outcome.WorkUsed, text);
        var lines = text.Split('\n');
        foreach (var error in outcome.Errors)
        {
            Assert.AreEqual(path, error.Path);
            Assert.IsTrue(error.Line >= 1 && error.Line <= lines.Length, $"{error} on:\n{text}");
            Assert.IsTrue(error.Column >= 1 && error.Column <= lines[error.Line - 1].Length + 2, $"{error} on:\n{text}");
            StringAssert.StartsWith(error.ToString(), $"{path}:{error.Line}:{error.Column}: error: ");
        }

        var summary = ScenarioRunner.Print([outcome], new StringWriter(), new StringWriter());
        if (summary.ExitCode == 2)
        {
            Assert.IsNotEmpty(outcome.Errors, "exit code 2 without a located error:\n" + text);
        }
        else
        {
            Assert.IsEmpty(outcome.Errors);
        }
    }
}
