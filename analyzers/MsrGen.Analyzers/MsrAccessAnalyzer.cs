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
public sealed class MsrAccessAnalyzer : DiagnosticAnalyzer
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

        JudgeAccess(context, invocation, catalog, regionPossible, register, indexKnown ? index : 0, kind, value?.Value);
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
                register.InstanceName(index),
                register.AddressExpression(index, fullyQualified: false)));
        }

        JudgeAccess(context, invocation, catalog, regionPossible, register, index, isWrite ? AccessKind.Write : AccessKind.Read, value?.Value);
    }

    /// <summary>A constant that already names the register (<c>Ia32PerfGlobalCtrl.Address</c>) is not a raw number.</summary>
    private static bool IsNamedAddress(IOperation address, RegisterCatalog catalog) =>
        address is IFieldReferenceOperation field && catalog.Get(field.Field.ContainingType) is not null;

    private static void JudgeAccess(
        OperationAnalysisContext context, IInvocationOperation invocation, RegisterCatalog catalog, bool regionPossible, RegisterInfo register,
        long index, AccessKind kind, IOperation? value)
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
            ReportUnguarded(context, invocation, register, gate, index, symbols);
        }

        if (register.HostPmu && guestRegion is not null)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                Descriptors.MSR1007_HostPmuInGuestRegion, invocation.Syntax.GetLocation(), register.InstanceName(index), guestRegion));
        }
    }

    private static void ReportReservedBits(OperationAnalysisContext context, RegisterCatalog catalog, RegisterInfo register, long index, IOperation value)
    {
        var folded = ValueFolder.Fold(value, catalog);
        if (folded is null || folded.Value == 0)
        {
            return;
        }

        var caps = StatedCaps.For(context.ContainingSymbol, catalog.Symbols, value);
        ulong reserved = ReservedBits.Mask(register, caps, index);
        if ((folded.Value & reserved) == 0)
        {
            return;
        }

        foreach (var source in folded.Sources)
        {
            ulong offending = source.Bits & reserved;
            if (offending == 0)
            {
                continue;
            }

            var properties = ImmutableDictionary.CreateBuilder<string, string?>();
            Location location;
            if (source.Setter is null)
            {
                location = source.Origin.Syntax.GetLocation();
                properties[FixProperties.ClearKind] = FixProperties.ReplaceConstant;
                properties[FixProperties.Replacement] = Literal(source.Bits & ~reserved, source.Origin.Type);
            }
            else
            {
                var setter = source.Setter;
                location = SetterLocation(setter.Call);
                if (offending == source.Bits)
                {
                    properties[FixProperties.ClearKind] = FixProperties.RemoveSetter;
                }
                else if (setter.ValueArgument.Value.Type?.SpecialType is SpecialType.System_UInt64 or SpecialType.System_UInt32 or
                         SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_UInt16 or SpecialType.System_Byte)
                {
                    properties[FixProperties.ClearKind] = FixProperties.ReplaceSetterValue;
                    properties[FixProperties.Replacement] = Literal((source.Bits & ~reserved) >> setter.Shift, setter.ValueArgument.Value.Type);
                }
            }

            context.ReportDiagnostic(Diagnostic.Create(
                Descriptors.MSR1002_ReservedBits,
                location,
                properties.ToImmutable(),
                ReservedBits.Describe(offending),
                register.InstanceName(index),
                offending.ToString("X", CultureInfo.InvariantCulture),
                caps.Description));
        }
    }

    private static void ReportUnguarded(
        OperationAnalysisContext context, IInvocationOperation invocation, RegisterInfo register, Generator.Parsing.CapabilityExpression gate,
        long index, KnownSymbols symbols)
    {
        var needed = register.GateNamesNeedingGuard;
        if (needed.Count == 0)
        {
            return;
        }

        var caps = StatedCaps.For(context.ContainingSymbol, symbols, invocation);
        if (caps.IsStated && gate.Evaluate(caps.Lookup, null, index) is { } holds && holds != 0)
        {
            return;
        }

        var checkedNames = CapabilityGuards.CheckedAround(invocation, symbols);
        if (register.IsAmdGated && checkedNames.Contains("perfmon-v2"))
        {
            // KVM gives an AMD vCPU PMU version 2 exactly when it has PERFMON_V2 (CPUID 0x80000022).
            checkedNames.Add("version");
        }

        var missing = needed.Where(name => !CapabilityGuards.IsChecked(name, checkedNames)).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        string? capsName = CapabilityGuards.CapsInScope(invocation, context.ContainingSymbol, symbols);
        string guard = gate.ToCSharp(capsName ?? "caps", "host", index.ToString(CultureInfo.InvariantCulture));
        var properties = ImmutableDictionary<string, string?>.Empty;
        if (capsName is not null)
        {
            properties = properties.Add(FixProperties.Guard, guard);
        }

        context.ReportDiagnostic(Diagnostic.Create(
            Descriptors.MSR1006_UnguardedGatedRegister,
            invocation.Syntax.GetLocation(),
            properties,
            register.InstanceName(index),
            gate.Text,
            string.Join(", ", missing.Select(name => "'" + name + "'")),
            "if (" + guard.Replace("global::MsrGen.Registers.", "") + ") { … }"));
    }

    private static void AnalyzeRegisterMember(
        OperationAnalysisContext context, IInvocationOperation invocation, IMethodSymbol method, RegisterInfo register, RegisterCatalog catalog)
    {
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter?.Name != "n" || argument.ArgumentKind != ArgumentKind.Explicit ||
                !TryConstantIndex(argument.Value, out long index))
            {
                continue;
            }

            var field = KnownSymbols.FindAttribute(method.GetAttributes(), catalog.Symbols.FieldAttribute);
            int elementCount = 0;
            if (field is not null)
            {
                foreach (var named in field.NamedArguments)
                {
                    if (named.Key == "ElementCount" && named.Value.Value is int count)
                    {
                        elementCount = count;
                    }
                }
            }

            if (elementCount > 0)
            {
                if (!InRange(index, elementCount))
                {
                    string fieldName = field!.ConstructorArguments[0].Value as string ?? method.Name;
                    ReportIndex(context, argument.Value, index, "field " + fieldName + " of " + register.Name, elementCount, "elements");
                }
            }
            else if (!InRange(index, register.MaxInstances))
            {
                ReportIndex(context, argument.Value, index, register.Name, register.MaxInstances, "instances");
            }
        }
    }

    private static bool TryConstantIndex(IOperation value, out long index)
    {
        var op = ValueFolder.Unwrap(value);
        index = 0;
        return op.ConstantValue.HasValue && ValueFolder.TryToInt64(op.ConstantValue.Value, out index);
    }

    private static bool InRange(long index, int count) => index >= 0 && index < count;

    private static void ReportIndex(OperationAnalysisContext context, IOperation at, long index, string what, int count, string unit) =>
        context.ReportDiagnostic(Diagnostic.Create(
            Descriptors.MSR1008_IndexBeyondMaximum,
            at.Syntax.GetLocation(),
            index.ToString(CultureInfo.InvariantCulture),
            what,
            count.ToString(CultureInfo.InvariantCulture),
            count == 1 ? unit.TrimEnd('s') : unit,
            (count - 1).ToString(CultureInfo.InvariantCulture)));

    /// <summary><c>WithEnPmc(5, true)</c> of <c>x.WithEnPmc(5, true)</c>: the call without its receiver, so chained setters get separate spans.</summary>
    private static Location SetterLocation(IInvocationOperation call)
    {
        if (call.Syntax is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax member } syntax)
        {
            return Location.Create(syntax.SyntaxTree, Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(member.Name.SpanStart, syntax.Span.End));
        }

        return call.Syntax.GetLocation();
    }

    private static string Literal(ulong value, ITypeSymbol? type)
    {
        string hex = "0x" + value.ToString("X", CultureInfo.InvariantCulture);
        return type?.SpecialType switch
        {
            SpecialType.System_UInt64 => hex + "UL",
            SpecialType.System_Int64 => hex + "L",
            SpecialType.System_UInt32 => hex + "u",
            _ => hex,
        };
    }
}
