using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace MsrGen.Analyzers.CodeFixes;

/// <summary>MSR1004: replaces a raw address with the generated register's address (<c>Ia32Pmc.AddressOf(2)</c>).</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UseNamedRegisterCodeFix)), Shared]
public sealed class UseNamedRegisterCodeFix : CodeFixProvider
{
    private const string Title = "Use the named register";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.RawKnownAddressId);

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
            if (!diagnostic.Properties.TryGetValue(FixProperties.Replacement, out string? replacement) || replacement is null ||
                root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not ExpressionSyntax address)
            {
                continue;
            }

            var document = context.Document;
            string text = replacement;
            context.RegisterCodeFix(
                CodeAction.Create(
                    Title,
                    token => ReplaceAsync(document, address, text, token),
                    equivalenceKey: Title),
                diagnostic);
        }
    }

    private static async Task<Document> ReplaceAsync(Document document, ExpressionSyntax address, string replacement, CancellationToken token)
    {
        var root = await document.GetSyntaxRootAsync(token).ConfigureAwait(false);
        if (root is null)
        {
            return document;
        }

        var named = Simplifiable.Parse(replacement).WithTriviaFrom(address);
        var changed = document.WithSyntaxRoot(root.ReplaceNode(address, named));
        return await Simplifier.ReduceAsync(changed, Simplifier.Annotation, cancellationToken: token).ConfigureAwait(false);
    }
}
