using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
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
/// against the PmuCaps the analyzer found in scope. The result always compiles, or no fix is offered:
/// <list type="bullet">
/// <item>a variable the statement declares (<c>out var c</c>, <c>var r = bus.Read(…)</c>) that code
/// outside the statement uses is hoisted in front of the <c>if</c>, initialised to what the access
/// gives on a vCPU without the register (<c>MsrAccessResult.GeneralProtection</c> for a result,
/// <c>default</c> for a register value, which Read also returns on a fault);</item>
/// <item>an expression-bodied member becomes a block body; one that returns a value returns that
/// same fallback when the guard fails;</item>
/// <item>a statement in an embedded position (<c>if (x) bus.Write(…);</c>) gets a block;</item>
/// <item>anything else (a pattern variable or deconstruction used later, a reference-typed variable,
/// an access inside an expression lambda, a <c>return</c> or loop condition) gets no fix.</item>
/// </list>
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddCapabilityGuardCodeFix)), Shared]
public sealed class AddCapabilityGuardCodeFix : CodeFixProvider
{
    private const string Title = "Guard the access with its capability";
    private const string FaultResult = "global::MsrGen.Registers.MsrAccessResult.GeneralProtection";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.UnguardedGatedRegisterId);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(FixProperties.Guard, out string? guard) || guard is null)
            {
                continue;
            }

            var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            var edit = Plan(node, guard, model, context.CancellationToken);
            if (edit is null)
            {
                continue;
            }

            var document = context.Document;
            context.RegisterCodeFix(
                CodeAction.Create(Title, token => ApplyAsync(document, edit.Value, token), equivalenceKey: Title),
                diagnostic);
        }
    }

    /// <summary>The node to replace and its replacement, or null when no edit keeps the code compiling.</summary>
    private static (SyntaxNode Old, SyntaxNode New)? Plan(SyntaxNode access, string guard, SemanticModel model, CancellationToken token)
    {
        foreach (var ancestor in access.AncestorsAndSelf())
        {
            switch (ancestor)
            {
                case LambdaExpressionSyntax { ExpressionBody: not null }:
                case AnonymousMethodExpressionSyntax:
                    return null;
                case ArrowExpressionClauseSyntax arrow:
                    return ExpressionBody(arrow, guard, model, token);
                case StatementSyntax statement:
                    return Statement(statement, guard, model, token);
                case MemberDeclarationSyntax:
                    return null;
            }
        }

        return null;
    }

    private static (SyntaxNode, SyntaxNode)? Statement(StatementSyntax statement, string guard, SemanticModel model, CancellationToken token)
    {
        if (statement is not (ExpressionStatementSyntax or LocalDeclarationStatementSyntax))
        {
            return null;
        }

        if (statement is LocalDeclarationStatementSyntax local &&
            (local.IsConst || local.UsingKeyword != default || local.Declaration.Type is RefTypeSyntax))
        {
            return null;
        }

        var declared = Declared(statement, model, token);
        switch (statement.Parent)
        {
            case BlockSyntax block:
                var usedOutside = declared.Where(d => UsedOutside(d.Symbol, statement, block, model, token)).ToList();
                if (usedOutside.Count == 0)
                {
                    // Nothing it declares is used elsewhere: the statement moves into the if as it is.
                    return (statement, Wrap(statement, guard).WithTriviaFrom(statement));
                }

                return Hoist(statement, block, declared, guard, model);
            case SwitchSectionSyntax when declared.Count == 0:
                return (statement, Wrap(statement, guard).WithTriviaFrom(statement));
            case IfStatementSyntax or ElseClauseSyntax or WhileStatementSyntax or DoStatementSyntax or ForStatementSyntax or
                CommonForEachStatementSyntax or UsingStatementSyntax or LockStatementSyntax or FixedStatementSyntax
                when statement is ExpressionStatementSyntax:
                // An embedded statement declares nothing the code after it can see; the block keeps a
                // following 'else' attached to the statement it belonged to.
                return (statement, SyntaxFactory.Block(Wrap(statement, guard)).WithTrailingTrivia(statement.GetTrailingTrivia()).WithAdditionalAnnotations(Formatter.Annotation));
            default:
                return null;
        }
    }

    /// <summary>
    /// Declares the variables the code after the statement needs in front of the guard, and turns the
    /// statement into assignments to them inside it.
    /// </summary>
    private static (SyntaxNode, SyntaxNode)? Hoist(
        StatementSyntax statement, BlockSyntax block, List<(ILocalSymbol Symbol, SyntaxNode Declaration)> declared, string guard, SemanticModel model)
    {
        var hoisted = new List<StatementSyntax>();
        foreach (var (symbol, declaration) in declared)
        {
            bool hoistable = declaration switch
            {
                VariableDeclaratorSyntax => true,
                SingleVariableDesignationSyntax { Parent: DeclarationExpressionSyntax { Parent: ArgumentSyntax argument } } =>
                    argument.RefKindKeyword.IsKind(SyntaxKind.OutKeyword),
                _ => false,
            };
            if (!hoistable || !symbol.Type.IsValueType || symbol.Type is IErrorTypeSymbol)
            {
                return null;
            }

            var type = Simplifiable.ParseType(symbol.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));
            var initial = symbol.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) == "global::MsrGen.Registers.MsrAccessResult"
                ? Simplifiable.Parse(FaultResult)
                : SyntaxFactory.LiteralExpression(SyntaxKind.DefaultLiteralExpression, SyntaxFactory.Token(SyntaxKind.DefaultKeyword));
            hoisted.Add(SyntaxFactory.LocalDeclarationStatement(
                SyntaxFactory.VariableDeclaration(
                    type,
                    SyntaxFactory.SingletonSeparatedList(
                        SyntaxFactory.VariableDeclarator(SyntaxFactory.Identifier(symbol.Name))
                            .WithInitializer(SyntaxFactory.EqualsValueClause(initial))))));
        }

        // out T c / out var c become out c.
        var outs = declared.Select(d => d.Declaration).OfType<SingleVariableDesignationSyntax>().Select(d => (DeclarationExpressionSyntax)d.Parent!).ToList();
        var rewritten = statement.ReplaceNodes(outs, (original, _) =>
            SyntaxFactory.IdentifierName(((SingleVariableDesignationSyntax)original.Designation).Identifier.ValueText));

        var inside = new List<StatementSyntax>();
        if (rewritten is LocalDeclarationStatementSyntax declarationStatement)
        {
            foreach (var declarator in declarationStatement.Declaration.Variables)
            {
                if (declarator.Initializer is { } initializer)
                {
                    inside.Add(SyntaxFactory.ExpressionStatement(SyntaxFactory.AssignmentExpression(
                        SyntaxKind.SimpleAssignmentExpression, SyntaxFactory.IdentifierName(declarator.Identifier.ValueText), initializer.Value.WithoutTrivia())));
                }
            }
        }
        else
        {
            inside.Add(rewritten.WithoutTrivia());
        }

        var guarded = SyntaxFactory.IfStatement(Simplifiable.Parse(guard), SyntaxFactory.Block(inside))
            .WithTrailingTrivia(statement.GetTrailingTrivia());
        hoisted[0] = hoisted[0].WithLeadingTrivia(statement.GetLeadingTrivia());
        var statements = new List<StatementSyntax>();
        foreach (var existing in block.Statements)
        {
            if (existing == statement)
            {
                statements.AddRange(hoisted.Select(h => h.WithAdditionalAnnotations(Formatter.Annotation)));
                statements.Add(guarded.WithAdditionalAnnotations(Formatter.Annotation));
            }
            else
            {
                statements.Add(existing);
            }
        }

        return (block, block.WithStatements(SyntaxFactory.List(statements)));
    }

    private static (SyntaxNode, SyntaxNode)? ExpressionBody(ArrowExpressionClauseSyntax arrow, string guard, SemanticModel model, CancellationToken token)
    {
        var member = arrow.Parent;
        if (member is null || model.GetDeclaredSymbol(member, token) is not { } symbol)
        {
            return null;
        }

        var method = symbol switch
        {
            IMethodSymbol m => m,
            IPropertySymbol p => p.GetMethod,
            _ => null,
        };
        if (method is null || method.IsAsync || method.ReturnsByRef || method.ReturnsByRefReadonly)
        {
            return null;
        }

        BlockSyntax body;
        var expression = arrow.Expression.WithoutTrivia();
        if (method.ReturnsVoid)
        {
            body = SyntaxFactory.Block(Wrap(SyntaxFactory.ExpressionStatement(expression), guard));
        }
        else
        {
            if (!method.ReturnType.IsValueType || method.ReturnType is IErrorTypeSymbol)
            {
                return null;
            }

            ExpressionSyntax fallback = method.ReturnType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) == "global::MsrGen.Registers.MsrAccessResult"
                ? Simplifiable.Parse(FaultResult)
                : SyntaxFactory.LiteralExpression(SyntaxKind.DefaultLiteralExpression, SyntaxFactory.Token(SyntaxKind.DefaultKeyword));
            body = SyntaxFactory.Block(
                Wrap(SyntaxFactory.ReturnStatement(expression), guard),
                SyntaxFactory.ReturnStatement(fallback));
        }

        body = body.WithAdditionalAnnotations(Formatter.Annotation);
        SyntaxNode? replaced = member switch
        {
            BaseMethodDeclarationSyntax m => m.WithExpressionBody(null).WithSemicolonToken(default).WithBody(body),
            LocalFunctionStatementSyntax f => f.WithExpressionBody(null).WithSemicolonToken(default).WithBody(body),
            AccessorDeclarationSyntax a => a.WithExpressionBody(null).WithSemicolonToken(default).WithBody(body),
            PropertyDeclarationSyntax p => p.WithExpressionBody(null).WithSemicolonToken(default).WithAccessorList(
                SyntaxFactory.AccessorList(SyntaxFactory.SingletonList(
                    SyntaxFactory.AccessorDeclaration(SyntaxKind.GetAccessorDeclaration, body)))),
            _ => null,
        };
        return replaced is null ? null : (member, replaced.WithAdditionalAnnotations(Formatter.Annotation));
    }

    private static IfStatementSyntax Wrap(StatementSyntax statement, string guard) =>
        SyntaxFactory.IfStatement(
                Simplifiable.Parse(guard),
                SyntaxFactory.Block(statement.WithoutTrivia()))
            .WithAdditionalAnnotations(Formatter.Annotation);

    /// <summary>Locals the statement declares outside any lambda: declarators, <c>out</c> variables, pattern and deconstruction variables.</summary>
    private static List<(ILocalSymbol Symbol, SyntaxNode Declaration)> Declared(StatementSyntax statement, SemanticModel model, CancellationToken token)
    {
        var declared = new List<(ILocalSymbol, SyntaxNode)>();
        foreach (var node in statement.DescendantNodesAndSelf(n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)))
        {
            if (node is VariableDeclaratorSyntax or SingleVariableDesignationSyntax &&
                model.GetDeclaredSymbol(node, token) is ILocalSymbol local)
            {
                declared.Add((local, node));
            }
        }

        return declared;
    }

    private static bool UsedOutside(ILocalSymbol symbol, StatementSyntax statement, BlockSyntax block, SemanticModel model, CancellationToken token)
    {
        foreach (var identifier in block.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            if (identifier.Identifier.ValueText == symbol.Name && !statement.Span.Contains(identifier.Span) &&
                SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(identifier, token).Symbol, symbol))
            {
                return true;
            }
        }

        return false;
    }

    private static async Task<Document> ApplyAsync(Document document, (SyntaxNode Old, SyntaxNode New) edit, CancellationToken token)
    {
        var root = await document.GetSyntaxRootAsync(token).ConfigureAwait(false);
        if (root is null)
        {
            return document;
        }

        var changed = document.WithSyntaxRoot(root.ReplaceNode(edit.Old, edit.New));
        changed = await Simplifier.ReduceAsync(changed, Simplifier.Annotation, cancellationToken: token).ConfigureAwait(false);
        return await Formatter.FormatAsync(changed, Formatter.Annotation, cancellationToken: token).ConfigureAwait(false);
    }
}
