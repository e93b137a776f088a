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
using Microsoft.CodeAnalysis.Simplification;

namespace MsrGen.Analyzers.CodeFixes;

/// <summary>
/// MSR1006: wraps the statement that makes the access in <c>if (gate) { … }</c>, the gate written
/// against the PmuCaps the analyzer found in scope. Only expression statements directly in a block are
/// wrapped: wrapping a declaration would hide the variable from the code after it.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddCapabilityGuardCodeFix)), Shared]
public sealed class AddCapabilityGuardCodeFix : CodeFixProvider
{
    private const string Title = "Guard the access with its capability";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.UnguardedGatedRegisterId);

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
            if (!diagnostic.Properties.TryGetValue(FixProperties.Guard, out string? guard) || guard is null ||
                root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true)
                    .FirstAncestorOrSelf<StatementSyntax>() is not ExpressionStatementSyntax { Parent: BlockSyntax } statement)
            {
                continue;
            }

            var document = context.Document;
            string condition = guard;
            context.RegisterCodeFix(
                CodeAction.Create(
                    Title,
                    token => WrapAsync(document, statement, condition, token),
                    equivalenceKey: Title),
                diagnostic);
        }
    }

    private static async Task<Document> WrapAsync(Document document, ExpressionStatementSyntax statement, string guard, CancellationToken token)
    {
        var root = await document.GetSyntaxRootAsync(token).ConfigureAwait(false);
        if (root is null)
        {
            return document;
        }

        var wrapped = SyntaxFactory.IfStatement(
                Simplifiable.Parse(guard),
                SyntaxFactory.Block(statement.WithoutLeadingTrivia().WithTrailingTrivia(SyntaxFactory.ElasticCarriageReturnLineFeed)))
            .WithLeadingTrivia(statement.GetLeadingTrivia())
            .WithTrailingTrivia(statement.GetTrailingTrivia())
            .WithAdditionalAnnotations(Formatter.Annotation);
        var changed = document.WithSyntaxRoot(root.ReplaceNode(statement, wrapped));
        changed = await Simplifier.ReduceAsync(changed, Simplifier.Annotation, cancellationToken: token).ConfigureAwait(false);
        return await Formatter.FormatAsync(changed, Formatter.Annotation, cancellationToken: token).ConfigureAwait(false);
    }
}
