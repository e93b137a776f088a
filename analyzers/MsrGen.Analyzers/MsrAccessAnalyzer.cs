using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using MsrGen.Analyzers.Model;
using MsrGen.Analyzers.Rules;

namespace MsrGen.Analyzers;

/// <summary>
/// Judges every MSR access in user code: typed <c>Read/Write/HostWrite</c>, the raw path and
/// <c>IMsrBus.ReadMsr/WriteMsr</c> with constant addresses, and index arguments of generated members.
/// What a register allows comes from the metadata attributes on its generated type.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed partial class MsrAccessAnalyzer : DiagnosticAnalyzer
{
    private enum AccessKind
    {
        Read,
        Write,
        HostWrite,
    }

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        Descriptors.MSR1001_WriteToReadOnly,
        Descriptors.MSR1002_ReservedBits,
        Descriptors.MSR1003_MeaninglessRead,
        Descriptors.MSR1004_RawKnownAddress,
        Descriptors.MSR1005_UnknownAddress,
        Descriptors.MSR1006_UnguardedGatedRegister,
        Descriptors.MSR1007_HostPmuInGuestRegion,
        Descriptors.MSR1008_IndexBeyondMaximum,
        Descriptors.MSR2001_RawAccessPath);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var symbols = KnownSymbols.TryCreate(start.Compilation);
            if (symbols is null)
            {
                return;
            }

            var catalog = new RegisterCatalog(start.Compilation, symbols);
            start.RegisterOperationBlockStartAction(block =>
            {
                // Whether a guest-state region can exist in this body is decided once per body, so the
                // per-access region search runs only where a [LoadsGuestPmuState] call or a
                // [GuestPmuContext] method makes one possible.
                bool regionPossible = GuestRegion.PossibleIn(block.OwningSymbol, block.OperationBlocks, symbols);
                block.RegisterOperationAction(c => AnalyzeInvocation(c, catalog, regionPossible), OperationKind.Invocation);
            });
        });
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, RegisterCatalog catalog, bool regionPossible)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod.ReducedFrom ?? invocation.TargetMethod;
        var definition = method.OriginalDefinition;
        var symbols = catalog.Symbols;
        var owner = definition.ContainingType;

        if (SymbolEqualityComparer.Default.Equals(owner, symbols.BusExtensions))
        {
            if (KnownSymbols.HasAttribute(definition, symbols.RawAccessAttribute))
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    Descriptors.MSR2001_RawAccessPath, invocation.Syntax.GetLocation(), definition.Name));
                AnalyzeRawAccess(context, invocation, catalog, regionPossible, isWrite: definition.Name.StartsWith("Write", System.StringComparison.Ordinal));
                return;
            }

            AccessKind? kind =
                SymbolEqualityComparer.Default.Equals(definition, symbols.TypedRead) ? AccessKind.Read :
                SymbolEqualityComparer.Default.Equals(definition, symbols.TypedWrite) ? AccessKind.Write :
                SymbolEqualityComparer.Default.Equals(definition, symbols.TypedHostWrite) ? AccessKind.HostWrite :
                null;
            if (kind is { } typed && method.TypeArguments.Length == 1 && catalog.Get(method.TypeArguments[0]) is { } register)
            {
                AnalyzeTypedAccess(context, invocation, catalog, regionPossible, register, typed);
            }

            return;
        }

        if (IsBusMethod(definition, symbols.BusReadMsr, symbols) || IsBusMethod(definition, symbols.BusWriteMsr, symbols))
        {
            AnalyzeRawAccess(context, invocation, catalog, regionPossible, isWrite: IsBusMethod(definition, symbols.BusWriteMsr, symbols));
            return;
        }

        if (catalog.Get(owner) is { } declaring)
        {
            AnalyzeRegisterMember(context, invocation, definition, declaring, catalog);
        }
    }

    private static bool IsBusMethod(IMethodSymbol method, IMethodSymbol? interfaceMethod, KnownSymbols symbols)
    {
        if (interfaceMethod is null)
        {
            return false;
        }

        if (SymbolEqualityComparer.Default.Equals(method, interfaceMethod))
        {
            return true;
        }

        if (method.Name != interfaceMethod.Name || method.ContainingType is not { } type ||
            !type.AllInterfaces.Contains(symbols.MsrBus, SymbolEqualityComparer.Default))
        {
            return false;
        }

        return SymbolEqualityComparer.Default.Equals(type.FindImplementationForInterfaceMember(interfaceMethod), method);
    }

    private static void AnalyzeTypedAccess(
        OperationAnalysisContext context, IInvocationOperation invocation, RegisterCatalog catalog, bool regionPossible, RegisterInfo register, AccessKind kind)
    {
        long index = 0;
        bool indexKnown = true;
        IArgumentOperation? value = null;
        foreach (var argument in invocation.Arguments)
        {
            switch (argument.Parameter?.Name)
            {
                case "index":
                    indexKnown = TryConstantIndex(argument.Value, out index);
                    if (indexKnown && argument.ArgumentKind == ArgumentKind.Explicit && !InRange(index, register.MaxInstances))
                    {
                        ReportIndex(context, argument.Value, index, register.Name, register.MaxInstances, "instances");
                        return;
                    }

                    break;
                case "register":
                    value = argument;
                    break;
            }
        }

        JudgeAccess(context, invocation, catalog, regionPossible, register, indexKnown ? index : 0, kind, value?.Value, indexKnown);
    }

    private static void AnalyzeRawAccess(
        OperationAnalysisContext context, IInvocationOperation invocation, RegisterCatalog catalog, bool regionPossible, bool isWrite)
    {
        IArgumentOperation? address = null;
        IArgumentOperation? value = null;
        foreach (var argument in invocation.Arguments)
        {
            switch (argument.Parameter?.Name)
            {
                case "address":
                    address = argument;
                    break;
                case "value" when isWrite:
                    value = argument;
                    break;
            }
        }

        if (address is null)
        {
            return;
        }

        var addressValue = ValueFolder.Unwrap(address.Value);
        if (!addressValue.ConstantValue.HasValue || !ValueFolder.TryToUInt64(addressValue.ConstantValue.Value, out ulong raw) || raw > uint.MaxValue)
        {
            return;
        }

        uint msr = (uint)raw;
        string hex = msr.ToString("X", CultureInfo.InvariantCulture);
        if (!catalog.TryResolve(msr, out var register, out long index) || register is null)
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.MSR1005_UnknownAddress, address.Value.Syntax.GetLocation(), hex));
            return;
        }

        if (!IsNamedAddress(addressValue, catalog))
        {
            var properties = ImmutableDictionary<string, string?>.Empty
                .Add(FixProperties.Replacement, register.AddressExpression(index, fullyQualified: true));
            context.ReportDiagnostic(Diagnostic.Create(
                Descriptors.MSR1004_RawKnownAddress,
                address.Value.Syntax.GetLocation(),
                properties,
                hex,
                register.InstanceNameWithAliases(index),
                register.AddressExpression(index, fullyQualified: false)));
        }

        JudgeAccess(context, invocation, catalog, regionPossible, register, index, isWrite ? AccessKind.Write : AccessKind.Read, value?.Value);
    }

    /// <summary>
    /// A constant that already names the register (<c>Ia32PerfGlobalCtrl.Address</c>) is not a raw
    /// number, and neither is a <c>const</c> local or field whose initializer names it
    /// (<c>const uint Ctrl = Ia32PerfGlobalCtrl.Address;</c>), however many constants it flows through.
    /// </summary>
    private static bool IsNamedAddress(IOperation address, RegisterCatalog catalog, int depth = 0)
    {
        address = ValueFolder.Unwrap(address);
        if (depth > 8)
        {
            return false;
        }

        switch (address)
        {
            case IFieldReferenceOperation field when catalog.Get(field.Field.ContainingType) is not null:
                return true;
            case IFieldReferenceOperation { Field.IsConst: true } constField:
                return ConstInitializer(constField.Field, address) is { } fieldValue
                    ? IsNamedAddress(fieldValue, catalog, depth + 1)
                    : NamesAddressElsewhere(constField.Field, address, catalog);
            case ILocalReferenceOperation { Local.IsConst: true } constLocal:
                return ConstInitializer(constLocal.Local, address) is { } localValue && IsNamedAddress(localValue, catalog, depth + 1);
            default:
                return false;
        }
    }

    /// <summary>
    /// A constant declared in another file, whose initializer the analyzer may not bind: it names a
    /// register when it reads <c>Register.Address</c> of a register type the catalog has.
    /// </summary>
    private static bool NamesAddressElsewhere(ISymbol constant, IOperation use, RegisterCatalog catalog)
    {
        foreach (var reference in constant.DeclaringSyntaxReferences)
        {
            if (reference.SyntaxTree == use.Syntax.SyntaxTree ||
                reference.GetSyntax() is not VariableDeclaratorSyntax { Initializer.Value: { } value })
            {
                continue;
            }

            while (value is ParenthesizedExpressionSyntax or CastExpressionSyntax)
            {
                value = value is ParenthesizedExpressionSyntax p ? p.Expression : ((CastExpressionSyntax)value).Expression;
            }

            if (value is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Address" } member)
            {
                string type = member.Expression switch
                {
                    MemberAccessExpressionSyntax qualified => qualified.Name.Identifier.ValueText,
                    SimpleNameSyntax simple => simple.Identifier.ValueText,
                    AliasQualifiedNameSyntax alias => alias.Name.Identifier.ValueText,
                    _ => "",
                };
                return type.Length > 0 && catalog.HasRegisterTypeNamed(type);
            }
        }

        return false;
    }

    /// <summary>The initializer of a constant declared in the syntax tree being analysed; null elsewhere.</summary>
    private static IOperation? ConstInitializer(ISymbol constant, IOperation use)
    {
        if (use.SemanticModel is not { } model)
        {
            return null;
        }

        foreach (var reference in constant.DeclaringSyntaxReferences)
        {
            if (reference.SyntaxTree != model.SyntaxTree ||
                reference.GetSyntax() is not VariableDeclaratorSyntax { Initializer.Value: { } value })
            {
                continue;
            }

            return model.GetOperation(value);
        }

        return null;
    }

    private static void JudgeAccess(
        OperationAnalysisContext context, IInvocationOperation invocation, RegisterCatalog catalog, bool regionPossible, RegisterInfo register,
        long index, AccessKind kind, IOperation? value, bool indexKnown = true)
    {
        var symbols = catalog.Symbols;
        bool regionMatters = register.HostPmu || (kind == AccessKind.HostWrite && register.Access == RegisterAccess.ReadOnly);
        string? guestRegion = regionPossible && regionMatters ? GuestRegion.Explain(invocation, context.ContainingSymbol, symbols) : null;

        if (kind == AccessKind.Write && register.Access == RegisterAccess.ReadOnly)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                Descriptors.MSR1001_WriteToReadOnly, invocation.Syntax.GetLocation(), register.InstanceName(index), "for the guest"));
        }
        else if (kind == AccessKind.HostWrite && register.Access == RegisterAccess.ReadOnly && guestRegion is not null)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                Descriptors.MSR1001_WriteToReadOnly, invocation.Syntax.GetLocation(), register.InstanceName(index), "for the guest, and this host write runs " + guestRegion));
        }

        if (kind == AccessKind.Read)
        {
            if (register.Access == RegisterAccess.WriteOnly)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    Descriptors.MSR1003_MeaninglessRead, invocation.Syntax.GetLocation(), register.InstanceName(index), "is write-only and a read raises #GP", ""));
            }
            else if ((register.SideEffects & RegisterSideEffects.ReadsAsZero) != 0)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    Descriptors.MSR1003_MeaninglessRead, invocation.Syntax.GetLocation(), register.InstanceName(index), "always reads as 0",
                    " (IA32_PERF_GLOBAL_STATUS or the vendor's global status MSR)"));
            }
        }

        if (kind == AccessKind.Write && value is not null)
        {
            foreach (var setter in ValueFolder.SettersAlong(value, catalog))
            {
                if (setter.ReadOnly)
                {
                    context.ReportDiagnostic(Diagnostic.Create(
                        Descriptors.MSR1001_WriteToReadOnly, SetterLocation(setter.Call), register.Name + "." + setter.Field, "in a value written to the register"));
                }
            }
        }

        if (kind != AccessKind.Read && value is not null)
        {
            ReportReservedBits(context, catalog, register, index, value);
        }

        if (register.Gate is { } gate)
        {
            ReportUnguarded(context, invocation, register, gate, index, indexKnown, symbols);
        }

        if (register.HostPmu && guestRegion is not null)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                Descriptors.MSR1007_HostPmuInGuestRegion, invocation.Syntax.GetLocation(), register.InstanceName(index), guestRegion));
        }
    }
}
