namespace MsrGen.Registers;

/// <summary>The outcome of one MSR access: a value, or the fault the access raised.</summary>
public enum MsrAccessResult : byte
{
    Ok = 0,
    /// <summary>General-protection fault (unknown MSR, reserved bits, read-only register).</summary>
    GeneralProtection = 1,
}

/// <summary>
/// Something MSRs can be read from and written to by address: a physical CPU model, a vCPU as the
/// guest sees it, host userspace's KVM_GET/SET_MSRS view. Typed access goes through
/// <see cref="MsrBusExtensions"/>; the address-based methods are the unchecked escape hatch.
/// </summary>
public interface IMsrBus
{
    MsrAccessResult ReadMsr(uint address, out ulong value);
    MsrAccessResult WriteMsr(uint address, ulong value);
}

/// <summary>Typed register access. Which methods compile follows from the register's access.</summary>
public static class MsrBusExtensions
{
    public static MsrAccessResult Read<TReg>(this IMsrBus bus, out TReg register, int index = 0)
        where TReg : struct, IReadableMsr<TReg>
    {
        var result = bus.ReadMsr(TReg.BaseAddress + (uint)index * TReg.AddressStride, out ulong raw);
        register = TReg.FromRawUnchecked(result == MsrAccessResult.Ok ? raw : 0);
        return result;
    }

    public static MsrAccessResult Write<TReg>(this IMsrBus bus, TReg register, int index = 0)
        where TReg : struct, IWritableMsr<TReg> =>
        bus.WriteMsr(TReg.BaseAddress + (uint)index * TReg.AddressStride, register.Value);

    /// <summary>Host userspace write (KVM_SET_MSRS) of a register the guest may not write.</summary>
    public static MsrAccessResult HostWrite<TReg>(this IMsrBus bus, TReg register, int index = 0)
        where TReg : struct, IHostWritableMsr<TReg> =>
        bus.WriteMsr(TReg.BaseAddress + (uint)index * TReg.AddressStride, register.Value);

    /// <summary>Writes any value to any address with no type, access or reserved-bit check.</summary>
    [MsrRawAccess]
    public static MsrAccessResult WriteRawUnchecked(this IMsrBus bus, uint address, ulong value) =>
        bus.WriteMsr(address, value);

    /// <summary>Reads any address with no type or access check.</summary>
    [MsrRawAccess]
    public static MsrAccessResult ReadRawUnchecked(this IMsrBus bus, uint address, out ulong value) =>
        bus.ReadMsr(address, out value);
}
