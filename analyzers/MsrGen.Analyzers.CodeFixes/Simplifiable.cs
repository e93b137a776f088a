using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace MsrGen.Analyzers.CodeFixes;

/// <summary>
/// Fixes build fully qualified code (<c>global::MsrGen.Registers.Ia32Pmc.AddressOf(2)</c>) so it binds
/// anywhere; every node is marked for the simplifier, which shortens what the file's usings allow.
/// </summary>
internal static class Simplifiable
{
    public static ExpressionSyntax Parse(string text)
    {
        var expression = SyntaxFactory.ParseExpression(text);
        return expression.ReplaceNodes(
            expression.DescendantNodesAndSelf(),
            (_, rewritten) => rewritten.WithAdditionalAnnotations(Simplifier.Annotation));
    }

    public static TypeSyntax ParseType(string text)
    {
        var type = SyntaxFactory.ParseTypeName(text);
        return type.ReplaceNodes(
            type.DescendantNodesAndSelf(),
            (_, rewritten) => rewritten.WithAdditionalAnnotations(Simplifier.Annotation));
    }
}
