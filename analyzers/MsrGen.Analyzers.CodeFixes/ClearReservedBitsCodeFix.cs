using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;

namespace MsrGen.Analyzers.CodeFixes;

/// <summary>
/// MSR1002: clears the reserved bits. A raw constant becomes the constant without them; a <c>With…</c>
/// call that sets only reserved bits leaves the chain; one that sets some gets the value without them.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ClearReservedBitsCodeFix)), Shared]
public sealed class ClearReservedBitsCodeFix : CodeFixProvider
{
    private const string Title = "Clear the reserved bits";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.ReservedBitsId);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(FixProperties.ClearKind, out string? kind) || kind is null)
            {
                continue;
            }

            diagnostic.Properties.TryGetValue(FixProperties.Replacement, out string? replacement);
            var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            SyntaxNode? target;
            SyntaxNode? newNode;
            switch (kind)
            {
                case FixProperties.ReplaceConstant when replacement is not null &&
                                                         (node is ArgumentSyntax a ? a.Expression : node as ExpressionSyntax) is { } constant:
                    target = constant;
                    newNode = SyntaxFactory.ParseExpression(replacement).WithTriviaFrom(constant);
                    break;
                case FixProperties.RemoveSetter when node.FirstAncestorOrSelf<InvocationExpressionSyntax>() is { Expression: MemberAccessExpressionSyntax member } call:
                    target = call;
                    newNode = member.Expression.WithTriviaFrom(call);
                    break;
                case FixProperties.ReplaceSetterValue when replacement is not null &&
                                                            node.FirstAncestorOrSelf<InvocationExpressionSyntax>() is { ArgumentList.Arguments.Count: > 0 } setter:
                    var argument = setter.ArgumentList.Arguments[setter.ArgumentList.Arguments.Count - 1];
                    target = argument.Expression;
                    newNode = SyntaxFactory.ParseExpression(replacement).WithTriviaFrom(argument.Expression);
                    break;
                default:
                    target = null;
                    newNode = null;
                    break;
            }

            if (target is null || newNode is null)
            {
                continue;
            }

            var document = context.Document;
            var oldNode = target;
            var replacementNode = newNode;
            context.RegisterCodeFix(
                CodeAction.Create(
                    Title,
                    token => ReplaceAsync(document, oldNode, replacementNode, token),
                    equivalenceKey: Title),
                diagnostic);
        }
    }

    private static async Task<Document> ReplaceAsync(Document document, SyntaxNode oldNode, SyntaxNode newNode, CancellationToken token)
    {
        var root = await document.GetSyntaxRootAsync(token).ConfigureAwait(false);
        return root is null ? document : document.WithSyntaxRoot(root.ReplaceNode(oldNode, newNode.WithAdditionalAnnotations(Formatter.Annotation)));
    }
}
