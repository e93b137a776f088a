using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MsrGen.Generator.Parsing;
using MsrGen.Generator.Tests.Infrastructure;
using Xunit;

namespace MsrGen.Generator.Tests;

/// <summary>The format reference stays true: its complete examples generate cleanly and it lists every capability.</summary>
public sealed class DocumentationTests
{
    private static readonly string FormatDoc = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "docs", "definition-format.md"));

    /// <summary>Fenced blocks that declare a register and elide nothing ('…').</summary>
    private static IReadOnlyList<string> CompleteExamples()
    {
        var blocks = new List<string>();
        var parts = FormatDoc.Replace("\r\n", "\n").Split("```");
        for (int i = 1; i < parts.Length; i += 2)
        {
            string block = parts[i].Substring(parts[i].IndexOf('\n') + 1);
            if (block.Split('\n').Any(l => l.StartsWith("msr ", StringComparison.Ordinal)) && !block.Contains('…'))
            {
                blocks.Add(block);
            }
        }

        return blocks;
    }

    [Fact]
    public void Complete_examples_in_the_format_reference_generate_without_diagnostics_and_compile()
    {
        var examples = CompleteExamples();
        Assert.True(examples.Count >= 2, "expected the reference to keep its complete examples");

        var run = GeneratorHarness.Run(examples.Select((text, i) => GeneratorHarness.Definition("example-" + i + ".msr", text)));

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Equal(examples.Count + 1, run.Sources.Count);
        GeneratorHarness.AssertCompilesCleanly(run);
    }

    [Fact]
    public void Format_reference_lists_every_capability_name()
    {
        foreach (string name in CapabilityExpression.Vocabulary.Keys)
        {
            Assert.Contains("`" + name + "`", FormatDoc);
        }
    }

    [Fact]
    public void Capability_vocabulary_matches_the_register_library_lookup()
    {
        Assert.Equal(
            MsrGen.Registers.CapabilityNames.All.OrderBy(n => n, StringComparer.Ordinal),
            CapabilityExpression.Vocabulary.Keys.OrderBy(n => n, StringComparer.Ordinal));
    }
}
