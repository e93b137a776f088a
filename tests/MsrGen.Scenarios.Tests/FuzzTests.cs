using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MsrGen.Scenarios.Tests;

/// <summary>Property-style checks: no input makes the parser throw, and results stay well-formed.</summary>
[TestClass]
public sealed class FuzzTests
{
    private const string ValidFile = """
        title Fuzz seed
        describe a file that uses every statement
        report group=fuzz
        host sapphire-rapids gp=8 tsx=off mediated=on
        cost wrmsr=10
        vm vpmu=mediated name=a placement=owned lbr=timer lbr-window=500 => ok
        vm use a
        vcpu 0
        guest cpl 3
        guest cr4.pce on
        guest wrmsr IA32_PERFEVTSEL0 0x4300c0 => ok
        guest wrmsr IA32_PERF_GLOBAL_CTRL 0x7_0000_000f
        guest rdmsr IA32_PMC0 => > 0
        guest rdpmc 0x40000000 => #GP
        guest lvtpc write 0x10000
        guest lvtpc read => 0x10000
        guest run instructions=100 branches=10 raw:0x01c2=3
        guest emulate instructions=2
        guest exits fastpath=3 slow=1
        guest branches 32
        guest lbr callstack on
        guest context-switch
        guest lbr read => clean
        guest pmi
        vcpu sched-out
        vcpu sched-in
        vcpu userspace
        idle 1_000
        host wrmsr IA32_PMC1 -1 => error
        host rdmsr MSR_F15H_PERF_CTL2 => 0
        host perf open c cycles exclude-guest pinned period=1000 => EBUSY
        host perf enable c at=guest-mode => ok
        host perf disable c
        host perf read c => >= 0
        host perf close c
        host run cycles=100
        host thread branches=16
        filter deny events=0xc0,0xc4 fixed-bitmap=1 => ok
        expect exits.msr == 0   # comment
        reset metrics
        vm destroy
        """;

    private static readonly string Alphabet =
        "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 _-.:,=<>!#\t\r\n\0\u00e9\u00dc\uFEFF\uD800\uDC00\U0001F600";

    private static readonly string[] Words =
    [
        "guest", "host", "vm", "vcpu", "perf", "open", "wrmsr", "rdmsr", "rdpmc", "run", "=>", "=", "==", ">=", "#GP",
        "ok", "error", "EBUSY", "-1", "0x", "0xffff_ffff_ffff_ffff_f", "raw:", "raw:0x", "IA32_PMC0", "vpmu=", "events=,",
        "lbr", "read", "expect", "filter", "title", "cost", "report", "#", "\u00e9", "\U0001F600", "18446744073709551616",
    ];

    [TestMethod]
    public void TheValidFileParses()
    {
        var result = Scenarios.Parse(ValidFile);
        Assert.IsTrue(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.HasCount(ValidFile.Split('\n').Length, result.File.Statements);
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    [DataRow(3)]
    public void RandomGarbageNeverThrows(int seed)
    {
        var random = new Random(seed);
        for (int file = 0; file < 400; file++)
        {
            var text = new StringBuilder();
            int lines = random.Next(1, 12);
            for (int line = 0; line < lines; line++)
            {
                int parts = random.Next(0, 8);
                for (int p = 0; p < parts; p++)
                {
                    if (random.Next(3) == 0)
                    {
                        text.Append(Alphabet[random.Next(Alphabet.Length)]);
                    }
                    else
                    {
                        text.Append(Words[random.Next(Words.Length)]);
                    }

                    if (random.Next(2) == 0)
                    {
                        text.Append(' ');
                    }
                }

                text.Append('\n');
            }

            Check(text.ToString());
        }
    }

    [TestMethod]
    [DataRow(11)]
    [DataRow(12)]
    [DataRow(13)]
    public void MutatedValidFilesNeverThrow(int seed)
    {
        var random = new Random(seed);
        for (int file = 0; file < 300; file++)
        {
            var text = ValidFile;
            int mutations = random.Next(1, 6);
            for (int m = 0; m < mutations; m++)
            {
                text = Mutate(text, random);
            }

            Check(text);
        }
    }

    private static string Mutate(string text, Random random)
    {
        if (text.Length == 0)
        {
            return Words[random.Next(Words.Length)];
        }

        int at = random.Next(text.Length);
        switch (random.Next(6))
        {
            case 0:
                return text.Remove(at, Math.Min(random.Next(1, 8), text.Length - at));
            case 1:
                return text.Insert(at, Alphabet[random.Next(Alphabet.Length)].ToString());
            case 2:
                return text.Insert(at, " " + Words[random.Next(Words.Length)] + " ");
            case 3:
                var lines = text.Split('\n').ToList();
                int a = random.Next(lines.Count), b = random.Next(lines.Count);
                (lines[a], lines[b]) = (lines[b], lines[a]);
                return string.Join('\n', lines);
            case 4:
                return text[..at];
            default:
                var chars = text.ToCharArray();
                chars[at] = Alphabet[random.Next(Alphabet.Length)];
                return new string(chars);
        }
    }

    private static void Check(string text)
    {
        ScenarioParseResult result;
        try
        {
            result = Scenarios.Parse(text);
        }
        catch (Exception e)
        {
            Assert.Fail($"parser threw {e.GetType().Name} on:\n{text}\n{e}");
            return;
        }

        int lineCount = text.Split('\n').Length + text.Count(c => c == '\r');
        Assert.AreEqual(result.Succeeded, result.Diagnostics.Count == 0);
        foreach (var diagnostic in result.Diagnostics)
        {
            Assert.IsTrue(diagnostic.Line >= 1 && diagnostic.Line <= lineCount, diagnostic.ToString());
            Assert.IsGreaterThanOrEqualTo(1, diagnostic.Column, diagnostic.ToString());
            StringAssert.StartsWith(diagnostic.ToString(), $"t.pmu:{diagnostic.Line}:{diagnostic.Column}: error: ");
        }

        Assert.AreEqual(result, Scenarios.Parse(text), "parsing must be deterministic");
    }
}
