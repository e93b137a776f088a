namespace MsrGen.Runtime.Kvm;

/// <summary>The outcome of a guest instruction: a value, or a #GP the guest took.</summary>
public readonly record struct GuestAccess(bool Faulted, ulong Value)
{
    public static GuestAccess Fault => new(true, 0);

    public static GuestAccess Ok(ulong value = 0) => new(false, value);

    public override string ToString() => Faulted ? "#GP" : $"0x{Value:x}";
}

/// <summary>The outcome of a host-initiated access (KVM_GET/SET_MSRS): a value, or a failed ioctl.</summary>
public readonly record struct HostAccess(bool Failed, ulong Value)
{
    public static HostAccess Error => new(true, 0);

    public static HostAccess Ok(ulong value = 0) => new(false, value);
}
