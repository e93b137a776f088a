using System.Linq;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MsrGen.Scenarios.Tests;

[TestClass]
public sealed class NumberAndLexicalTests
{
    [TestMethod]
    [DataRow("0", 0UL)]
    [DataRow("42", 42UL)]
    [DataRow("1_000_000", 1_000_000UL)]
    [DataRow("0x0", 0UL)]
    [DataRow("0xFFff", 0xFFFFUL)]
    [DataRow("0X10", 0x10UL)]
    [DataRow("0xffff_ffff_ffff_ffff", ulong.MaxValue)]
    [DataRow("18446744073709551615", ulong.MaxValue)]
    [DataRow("-1", 0xffff_ffff_ffff_ffffUL)]
    [DataRow("-0x10", 0xffff_ffff_ffff_fff0UL)]
    [DataRow("-0", 0UL)]
    [DataRow("-18446744073709551615", 1UL)]
    [DataRow("007", 7UL)]
    public void NumbersParse(string text, ulong expected)
    {
        var statement = (IdleStatement)Scenarios.ParseOne("idle " + text);
        Assert.AreEqual(expected, statement.Cycles);
    }

    [TestMethod]
    [DataRow("18446744073709551616", "t.pmu:1:19: error: number '18446744073709551616' does not fit in 64 bits")]
    [DataRow("0x1_0000_0000_0000_0000", "t.pmu:1:19: error: number '0x1_0000_0000_0000_0000' does not fit in 64 bits")]
    [DataRow("-18446744073709551616", "t.pmu:1:19: error: number '-18446744073709551616' does not fit in 64 bits")]
    [DataRow("0x", "t.pmu:1:19: error: bad number '0x'")]
    [DataRow("0xZZ", "t.pmu:1:19: error: bad number '0xZZ'")]
    [DataRow("12a", "t.pmu:1:19: error: bad number '12a'")]
    [DataRow("_1", "t.pmu:1:19: error: bad number '_1'")]
    [DataRow("1_", "t.pmu:1:19: error: bad number '1_'")]
    [DataRow("0x_1", "t.pmu:1:19: error: bad number '0x_1'")]
    [DataRow("--1", "t.pmu:1:19: error: bad number '--1'")]
    [DataRow("-", "t.pmu:1:19: error: bad number '-'")]
    [DataRow("1.5", "t.pmu:1:19: error: bad number '1.5'")]
    [DataRow("ten", "t.pmu:1:19: error: bad number 'ten'")]
    public void BadNumbersAreErrorsAtTheirColumn(string text, string expected)
    {
        CollectionAssert.AreEqual(new[] { expected }, Scenarios.Errors("guest lvtpc write " + text));
    }

    [TestMethod]
    public void MsrAddressesAndRdpmcIndexesAre32Bit()
    {
        CollectionAssert.AreEqual(
            new[] { "t.pmu:1:13: error: MSR address '0x1_0000_0000' does not fit in 32 bits" },
            Scenarios.Errors("guest rdmsr 0x1_0000_0000"));
        CollectionAssert.AreEqual(
            new[] { "t.pmu:1:13: error: '-1' does not fit in 32 bits" },
            Scenarios.Errors("guest rdpmc -1"));
        Assert.AreEqual(0xC0010200U, ((GuestRdmsr)Scenarios.ParseOne("guest rdmsr 0xc001_0200")).Msr.Address);
    }

    [TestMethod]
    public void CommentsEndTheLineExceptGeneralProtectionAfterTheArrow()
    {
        var wrmsr = (GuestWrmsr)Scenarios.ParseOne("guest wrmsr IA32_PMC0 1 => #GP # reserved bit");
        Assert.IsInstanceOfType<GeneralProtectionExpectation>(wrmsr.Expect);

        var noResult = (GuestWrmsr)Scenarios.ParseOne("guest wrmsr IA32_PMC0 1 #GP expected but not checked");
        Assert.IsNull(noResult.Expect);

        var glued = (GuestRdmsr)Scenarios.ParseOne("guest rdmsr IA32_PMC0#comment");
        Assert.AreEqual("IA32_PMC0", glued.Msr.Name);

        CollectionAssert.AreEqual(
            new[] { "t.pmu:1:28: error: missing result after '=>'; expected ok or #GP" },
            Scenarios.Errors("guest wrmsr IA32_PMC0 1 => #GPX"));
    }

    [TestMethod]
    public void OperatorsNeedNoSpaces()
    {
        var read = (GuestRdmsr)Scenarios.ParseOne("guest rdmsr IA32_PMC0=>!=0x5");
        Assert.AreEqual(new ComparisonExpectation(new SourceSpan(1, 24), ComparisonOperator.NotEqual, 5), read.Expect);
    }

    [TestMethod]
    public void LineEndingsAreLfCrLfOrCr()
    {
        var result = Scenarios.Parse("guest pmi\r\nguest pmi\rguest pmi\nguest pmi");
        Assert.IsTrue(result.Succeeded);
        CollectionAssert.AreEqual(new[] { 1, 2, 3, 4 }, result.File.Statements.Select(s => s.Span.Line).ToArray());
    }

    [TestMethod]
    public void ColumnsCountCodePointsAndTabsAsOne()
    {
        CollectionAssert.AreEqual(
            new[]
            {
                "t.pmu:1:18: error: bad name '\U0001F600'; a name starts with a letter or '_' and holds letters, digits, '_', '.' and '-'",
                "t.pmu:1:23: error: bad number 'x'",
            },
            Scenarios.Errors("vm vpmu=off name=\U0001F600 gp=x"));
        CollectionAssert.AreEqual(
            new[] { "t.pmu:1:14: error: unknown register name 'ÜBER'" },
            Scenarios.Errors("\tguest rdmsr ÜBER"));
    }

    [TestMethod]
    public void EventEncodingsFollowTheArchitecturalTables()
    {
        Assert.IsTrue(EventSpec.TryGetIntelEncoding(EventKind.LlcMisses, out var select, out var umask));
        Assert.AreEqual((0x2E, 0x41), (select, umask));
        Assert.IsTrue(EventSpec.TryGetIntelEncoding(EventKind.RefCycles, out select, out umask));
        Assert.AreEqual((0x3C, 0x01), (select, umask));
        Assert.IsTrue(EventSpec.TryGetAmdEncoding(EventKind.Branches, out select));
        Assert.AreEqual(0xC2, select);
        Assert.IsFalse(EventSpec.TryGetAmdEncoding(EventKind.LlcMisses, out _));

        var raw = EventSpec.FromRawNumber(0x3_41_2E);
        Assert.AreEqual((0x41, 0x2E, 0x3), (raw.Umask, raw.EventSelect, raw.EventSelectHigh));
        Assert.AreEqual(0x3_0000_412EUL, raw.EventSelectBits);
        Assert.AreEqual("raw:0x3412e", raw.ToString());
    }

    [TestMethod]
    public void ComparisonOperatorsCompareUnsigned()
    {
        Assert.IsTrue(ComparisonOperator.Greater.Holds(ulong.MaxValue, 0));
        Assert.IsTrue(ComparisonOperator.LessOrEqual.Holds(3, 3));
        Assert.IsFalse(ComparisonOperator.NotEqual.Holds(3, 3));
        Assert.AreEqual(">=", ComparisonOperator.GreaterOrEqual.ToSymbol());
    }
}
