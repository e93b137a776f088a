using System;

namespace MsrGen.Registers;

/// <summary>Who may read and write a register (guest view, as the architecture defines it).</summary>
public enum MsrAccess : byte
{
    ReadWrite = 0,
    ReadOnly = 1,
    WriteOnly = 2,
}

/// <summary>Side effects of an access, kept apart from <see cref="MsrAccess"/>.</summary>
[Flags]
public enum MsrSideEffects : byte
{
    None = 0,
    /// <summary>Writing 1 to a bit clears the bit it names (elsewhere).</summary>
    WriteOneToClear = 1,
    /// <summary>Writing 1 to a bit sets the bit it names (elsewhere).</summary>
    WriteOneToSet = 2,
    /// <summary>Reading the register clears it.</summary>
    ReadClears = 4,
    /// <summary>Reads return 0 whatever was written (OVF_CTRL, STATUS_SET, STATUS_CLR).</summary>
    ReadsAsZero = 8,
}

public enum MsrVendor : byte
{
    Intel = 0,
    Amd = 1,
    Kvm = 2,
    Synthetic = 3,
}

/// <summary>The two paravirtual register sets whose addresses clash (0x4B564D05).</summary>
[Flags]
public enum MsrProfile : byte
{
    /// <summary>Upstream KVM (7.0).</summary>
    Upstream = 1,
    /// <summary>The 2018 guest-LBR proposal with MSR_KVM_PV_LBR_CTRL.</summary>
    PvLbr2018 = 2,
    All = Upstream | PvLbr2018,
}

/// <summary>The vPMU designs that intercept policies are stated for.</summary>
public enum VpmuMode : byte
{
    /// <summary>No vPMU: every PMU MSR access exits.</summary>
    Off = 0,
    /// <summary>The legacy perf-emulated vPMU.</summary>
    Emulated = 1,
    /// <summary>The mediated vPMU (Linux 7.0).</summary>
    Mediated = 2,
}

/// <summary>How the hypervisor treats a guest access under one vPMU mode.</summary>
[Flags]
public enum MsrIntercept : byte
{
    /// <summary>Neither reads nor writes exit.</summary>
    None = 0,
    Read = 1,
    Write = 2,
    ReadWrite = Read | Write,
}
