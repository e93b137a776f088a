using System;
using System.Linq;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace MsrGen.Scenarios.Tests;

[TestClass]
public sealed class StatementTableTests
{
    [TestMethod]
    public void EveryKeywordPathIsUniqueAndLowerCase()
    {
        var paths = StatementTable.All.Select(d => d.DisplayName).ToList();
        CollectionAssert.AllItemsAreUnique(paths);
        Assert.IsTrue(paths.All(p => p == p.ToLowerInvariant()));
    }

    [TestMethod]
    public void KeysAndFlagsOfAStatementAreUnique()
    {
        foreach (var definition in StatementTable.All)
        {
            var names = definition.Keys.Select(k => k.Name).Concat(definition.Flags).ToList();
            Assert.HasCount(names.Distinct(StringComparer.Ordinal).Count(), names, definition.DisplayName);
        }
    }

    [TestMethod]
    public void DefaultPresetsAreTheContractsAndAllParse()
    {
        CollectionAssert.AreEquivalent(
            new[] { "intel-v2", "skylake-server", "icelake-server", "sapphire-rapids", "zen4", "native" },
            ScenarioParserOptions.DefaultPresets.ToArray());
        foreach (var preset in ScenarioParserOptions.DefaultPresets)
        {
            Assert.AreEqual(preset, ((HostStatement)Scenarios.ParseOne("host " + preset)).Preset);
        }
    }

    [TestMethod]
    public void ContractMetricsAreKnown()
    {
        foreach (var name in Metric.ContractNames)
        {
            var expect = (ExpectMetric)Scenarios.ParseOne($"expect {name} >= 0");
            Assert.IsTrue(expect.Metric.IsContractMetric, name);
        }

        Assert.IsFalse(((ExpectMetric)Scenarios.ParseOne("expect lbr.lost == 0")).Metric.IsContractMetric);
    }
}
