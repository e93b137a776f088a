using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using MsrGen.Generator.Emit;
using MsrGen.Generator.Model;
using MsrGen.Generator.Parsing;
using MsrGen.Generator.Tests.Infrastructure;
using Xunit;

namespace MsrGen.Generator.Tests.Incrementality;

/// <summary>The pipeline models compare by value and hold nothing that could root a compilation.</summary>
public sealed class ModelTests
{
    private static readonly Type[] Forbidden =
    {
        typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(Location), typeof(Compilation),
        typeof(SemanticModel), typeof(AdditionalText), typeof(Diagnostic),
    };

    private static readonly Type[] PipelineModels =
    {
        typeof(DefinitionFile), typeof(RegisterFileModel), typeof(CatalogFile), typeof(CatalogResult),
        typeof(CatalogSourceModel), typeof(EquatableArray<DiagnosticInfo>), typeof(EquatableArray<DroppedRegister>),
    };

    [Theory]
    [MemberData(nameof(ShippedFiles))]
    public void Parsing_the_same_text_twice_gives_equal_models(string fileName)
    {
        string path = TestPaths.Definition(fileName);
        string text = File.ReadAllText(path);

        var first = DefinitionParser.Parse(path, text);
        var second = DefinitionParser.Parse(path, text);

        Assert.NotSame(first, second);
        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
        Assert.NotEmpty(first.Registers);
    }

    [Fact]
    public void A_changed_field_makes_the_models_differ()
    {
        string path = TestPaths.Definition("intel-lbr.msr");
        string text = File.ReadAllText(path);

        var original = DefinitionParser.Parse(path, text);
        var changed = DefinitionParser.Parse(path, text.Replace("field 9 EN_CALLSTACK", "field 9 CALL_STACK_MODE"));

        Assert.NotEqual(original.Registers, changed.Registers);
        Assert.Equal(original.CatalogEntries.Select(WithoutPosition), changed.CatalogEntries.Select(WithoutPosition));
    }

    private static CatalogEntry WithoutPosition(CatalogEntry entry) => entry with { Position = new SourcePosition("", 0, 0, 0, 0) };

    [Fact]
    public void Catalog_source_model_ignores_where_registers_sit_in_their_files()
    {
        var files = GeneratorHarness.ShippedDefinitionNames.Select(n =>
        {
            string path = TestPaths.Definition(n);
            var parsed = DefinitionParser.Parse(path, File.ReadAllText(path));
            return new CatalogFile(parsed.Path, parsed.HintName, parsed.CatalogEntries);
        }).ToImmutableArray();
        var moved = files.Select(f => f with
        {
            Entries = f.Entries.Select(e => e with { Position = e.Position with { Line = e.Position.Line + 3 } }).ToEquatableArray(),
        }).ToImmutableArray();

        var a = CatalogBuilder.Build(files, "N");
        var b = CatalogBuilder.Build(moved, "N");

        Assert.NotEqual(files, moved);
        Assert.Equal(a.Source, b.Source);
    }

    [Fact]
    public void Pipeline_models_hold_no_symbols_syntax_locations_or_reference_compared_collections()
    {
        var problems = new List<string>();
        var seen = new HashSet<Type>();
        foreach (var model in PipelineModels)
        {
            Walk(model, model.Name, seen, problems);
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Contains(typeof(FieldModel), seen);
        Assert.Contains(typeof(InterceptRule), seen);
    }

    private static void Walk(Type type, string path, HashSet<Type> seen, List<string> problems)
    {
        if (type.IsPrimitive || type.IsEnum || type == typeof(string) || !seen.Add(type))
        {
            return;
        }

        if (Forbidden.Any(f => f.IsAssignableFrom(type)))
        {
            problems.Add(path + ": " + type.Name + " must not be in a pipeline model");
            return;
        }

        if (type.IsArray || (type.IsGenericType && type.GetGenericTypeDefinition() is var d &&
                             (d == typeof(ImmutableArray<>) || d == typeof(List<>) || d == typeof(Dictionary<,>))))
        {
            problems.Add(path + ": " + type.Name + " compares by reference; use EquatableArray<T>");
            return;
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(EquatableArray<>))
        {
            var element = type.GetGenericArguments()[0];
            Walk(element, path + "[]", seen, problems);
            return;
        }

        if (!typeof(IEquatable<>).MakeGenericType(type).IsAssignableFrom(type))
        {
            problems.Add(path + ": " + type.Name + " does not implement IEquatable<" + type.Name + ">");
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
        {
            if (property.GetIndexParameters().Length == 0 && property.Name != "EqualityContract")
            {
                Walk(property.PropertyType, path + "." + property.Name, seen, problems);
            }
        }
    }

    public static TheoryData<string> ShippedFiles()
    {
        var data = new TheoryData<string>();
        foreach (string name in GeneratorHarness.ShippedDefinitionNames)
        {
            data.Add(name);
        }

        return data;
    }
}
