using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using MsrGen.Analyzers.Model;
using Range = MsrGen.Generator.Parsing.CapabilityExpression.Range;

namespace MsrGen.Analyzers.Rules;

/// <summary>
/// What the code has established about the vCPU's capabilities where an access runs, read from the
/// body's control-flow graph: a forward "must" analysis whose facts are ranges of capability values.
/// Every conditional edge adds what its branch value means with the edge's truth value
/// (<c>caps.Version &gt;= 2</c> taken as true bounds version below by 2, taken as false bounds it above
/// by 1); where paths join, only what holds on every path survives (the hull of the ranges). So a guard
/// counts exactly where it dominates the access with the right truth value: the else branch, a negated
/// check, an early exit on the wrong condition or the wrong side of <c>||</c> establish nothing useful.
/// Conditions are read through negation, <c>&amp;&amp;</c>/<c>||</c>, comparisons either way round,
/// <c>is</c> patterns, single-assignment locals and flow captures (switch statements).
/// </summary>
internal sealed partial class GuardFlow
{
    private const int MaxDepth = 8;

    private readonly KnownSymbols _symbols;
    private readonly IOperation _originalRoot;
    private readonly Dictionary<CaptureId, IOperation?> _captures = new();

    private GuardFlow(KnownSymbols symbols, IOperation originalRoot)
    {
        _symbols = symbols;
        _originalRoot = originalRoot;
    }

    /// <summary>What holds at <paramref name="access"/>; empty knowledge when the graph cannot be built.</summary>
    public static Knowledge At(IOperation access, ControlFlowGraph? graph, KnownSymbols symbols)
    {
        try
        {
            return Compute(access, graph, symbols);
        }
        catch (ArgumentException)
        {
            // A nested graph Roslyn cannot give for this function: judge as if nothing were checked.
            return Knowledge.Empty;
        }
    }

    private static Knowledge Compute(IOperation access, ControlFlowGraph? graph, KnownSymbols symbols)
    {
        IOperation root = access;
        while (root.Parent is not null)
        {
            root = root.Parent;
        }

        if (graph is null)
        {
            return Knowledge.Empty;
        }

        // The functions (lambdas, local functions) between the body and the access, outermost first.
        var functions = new List<IOperation>();
        for (var parent = access.Parent; parent is not null; parent = parent.Parent)
        {
            if (parent is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                functions.Insert(0, parent);
            }
        }

        var flow = new GuardFlow(symbols, root);
        var known = Knowledge.Empty;
        foreach (var function in functions)
        {
            if (function is ILocalFunctionOperation local)
            {
                // A local function runs wherever it is called: nothing from its definition point holds.
                known = Knowledge.Empty;
                graph = graph.GetLocalFunctionControlFlowGraph(local.Symbol);
                continue;
            }

            var inGraph = FindFlowFunction(graph, function.Syntax);
            if (inGraph is null)
            {
                return Knowledge.Empty;
            }

            // A lambda sees what held where it was created (capabilities do not change under it).
            known = flow.Solve(graph, inGraph.Value.Block).Meet(known, conjunction: true);
            graph = graph.GetAnonymousFunctionControlFlowGraph(inGraph.Value.Function);
        }

        int? block = FindBlock(graph, access.Syntax);
        return block is null ? Knowledge.Empty : flow.Solve(graph, block.Value).Meet(known, conjunction: true);
    }

    private static (IFlowAnonymousFunctionOperation Function, int Block)? FindFlowFunction(ControlFlowGraph graph, SyntaxNode syntax)
    {
        foreach (var block in graph.Blocks)
        {
            foreach (var op in OperationsOf(block))
            {
                foreach (var inner in op.DescendantsAndSelf())
                {
                    if (inner is IFlowAnonymousFunctionOperation function && function.Syntax == syntax)
                    {
                        return (function, block.Ordinal);
                    }
                }
            }
        }

        return null;
    }

    private static int? FindBlock(ControlFlowGraph graph, SyntaxNode syntax)
    {
        foreach (var block in graph.Blocks)
        {
            foreach (var op in OperationsOf(block))
            {
                foreach (var inner in op.DescendantsAndSelf())
                {
                    if (inner is IInvocationOperation && inner.Syntax == syntax)
                    {
                        return block.Ordinal;
                    }
                }
            }
        }

        return null;
    }

    private static IEnumerable<IOperation> OperationsOf(BasicBlock block)
    {
        foreach (var op in block.Operations)
        {
            yield return op;
        }

        if (block.BranchValue is { } branch)
        {
            yield return branch;
        }
    }

    private Knowledge Solve(ControlFlowGraph graph, int target)
    {
        _captures.Clear();
        foreach (var block in graph.Blocks)
        {
            foreach (var op in OperationsOf(block))
            {
                foreach (var inner in op.DescendantsAndSelf())
                {
                    if (inner is IFlowCaptureOperation capture)
                    {
                        // A capture id written more than once (the arms of ?:) holds no single value.
                        _captures[capture.Id] = _captures.ContainsKey(capture.Id) ? null : capture.Value;
                    }
                }
            }
        }

        var blocks = graph.Blocks;
        var state = new Knowledge?[blocks.Length];
        state[0] = Knowledge.Empty;
        bool changed = true;
        for (int round = 0; changed && round < 4 * blocks.Length + 8; round++)
        {
            changed = false;
            for (int i = 1; i < blocks.Length; i++)
            {
                var block = blocks[i];
                Knowledge? incoming = null;
                foreach (var edge in block.Predecessors)
                {
                    if (state[edge.Source.Ordinal] is not { } before)
                    {
                        continue;
                    }

                    var along = before;
                    if (edge.Source.ConditionKind != ControlFlowConditionKind.None && edge.Source.BranchValue is { } condition &&
                        edge.Semantics == ControlFlowBranchSemantics.Regular)
                    {
                        bool whenTrue = edge.Source.ConditionKind == ControlFlowConditionKind.WhenTrue;
                        along = Assume(along, condition, edge.IsConditionalSuccessor ? whenTrue : !whenTrue, 0);
                    }

                    incoming = incoming is null ? along : incoming.Meet(along, conjunction: false);
                }

                // Region entries (catch, finally) have no ordinary predecessors: nothing is known there.
                incoming ??= block.Predecessors.IsEmpty ? Knowledge.Empty : null;
                if (incoming is not null && !incoming.Equals(state[i]))
                {
                    state[i] = incoming;
                    changed = true;
                }
            }
        }

        return state[target] ?? Knowledge.Unreachable;
    }
}
