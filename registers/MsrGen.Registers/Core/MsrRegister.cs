namespace MsrGen.Registers;

/// <summary>
/// Implemented by every generated register value type. Array registers (IA32_PMC{n}) share one
/// type; the index picks the instance. Static members describe the register, instances hold a value.
/// </summary>
public interface IMsrRegister<TSelf> where TSelf : struct, IMsrRegister<TSelf>
{
    /// <summary>The register as the catalog describes it: the one place a generated type states its facts.</summary>
    static abstract MsrDescriptor Descriptor { get; }
    /// <summary>The SDM / kernel name (for arrays, with <c>{n}</c> where the index goes).</summary>
    static virtual string Name => TSelf.Descriptor.Name;
    /// <summary>Address of instance 0 (the only instance of a scalar register).</summary>
    static virtual uint BaseAddress
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        get => TSelf.Descriptor.BaseAddress;
    }
    /// <summary>Distance between consecutive instances of an array register (0 for scalars).</summary>
    static virtual uint AddressStride
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        get => TSelf.Descriptor.Stride;
    }
    /// <summary>Architectural maximum number of instances (1 for scalars).</summary>
    static virtual int MaxInstances => TSelf.Descriptor.MaxInstances;
    static virtual MsrAccess Access => TSelf.Descriptor.Access;
    /// <summary>Bits that are reserved for a vCPU with these capabilities (instance <paramref name="index"/>).</summary>
    static abstract ulong ReservedMask(in PmuCaps caps, int index);
    /// <summary>Whether instance <paramref name="index"/> exists for a vCPU with these capabilities.</summary>
    static abstract bool Exists(in PmuCaps caps, int index);
    /// <summary>The value after reset for these capabilities.</summary>
    static abstract TSelf Reset(in PmuCaps caps);
    /// <summary>Wraps a raw value with no access or reserved-bit check (decoding reads, tests).</summary>
    static abstract TSelf FromRawUnchecked(ulong value);
    /// <summary>Which guest accesses of instance <paramref name="index"/> exit under a vPMU mode.</summary>
    static abstract MsrIntercept InterceptPolicy(VpmuMode mode, in PmuCaps caps, in PmuCaps host, int index);

    ulong Value { get; }
}

/// <summary>A register the guest may read.</summary>
public interface IReadableMsr<TSelf> : IMsrRegister<TSelf> where TSelf : struct, IReadableMsr<TSelf>
{
}

/// <summary>A register the guest may write. Read-only registers do not implement it, so no write compiles.</summary>
public interface IWritableMsr<TSelf> : IMsrRegister<TSelf> where TSelf : struct, IWritableMsr<TSelf>
{
}

/// <summary>A register that host userspace may write (KVM_SET_MSRS) even where the guest may not.</summary>
public interface IHostWritableMsr<TSelf> : IMsrRegister<TSelf> where TSelf : struct, IHostWritableMsr<TSelf>
{
}

/// <summary>Which bits of a value break the reserved-bit rules, and which register/caps judged it.</summary>
public readonly record struct ReservedBitViolation(string Register, ulong Value, ulong ReservedMask)
{
    public ulong OffendingBits => Value & ReservedMask;
    public bool IsViolation => OffendingBits != 0;

    public override string ToString() => IsViolation
        ? $"{Register}: value 0x{Value:X} sets reserved bits 0x{OffendingBits:X} ({Bits.Describe(OffendingBits)})"
        : $"{Register}: value 0x{Value:X} sets no reserved bits";
}
