namespace MsrGen.Runtime.Hardware;

/// <summary>
/// The local APIC's performance-counter LVT entry (Intel SDM Vol. 3A, "Local Vector Table"): every
/// LVTPC value and vector the runtime uses, in one place. The physical PMU, host perf, KVM's vCPU
/// and the mediated vPMU's world switch all read them from here.
/// </summary>
public static class LvtpcValues
{
    /// <summary>PERF_GUEST_MEDIATED_PMI_VECTOR (arch/x86/include/asm/irq_vectors.h): host perf's vector while a mediated guest's PMU is loaded.</summary>
    public const byte MediatedPmiVector = 0xF5;

    /// <summary>APIC_DM_NMI: delivery mode NMI, what host perf uses.</summary>
    public const uint DeliveryNmi = 0x400;

    /// <summary>APIC_DM_FIXED.</summary>
    public const uint DeliveryFixed = 0x000;

    /// <summary>APIC_LVT_MASKED; the local APIC sets it when it delivers a PMI.</summary>
    public const uint Masked = 1u << 16;

    /// <summary>The entry's value at reset (and a vCPU's before its guest writes it): masked.</summary>
    public const uint ResetValue = Masked;

    /// <summary>The entry as an x2APIC MSR (Intel SDM Vol. 3A, "x2APIC Register Address Space": LVT performance monitoring counters register, MSR 0x834).</summary>
    public const uint X2ApicMsr = 0x834;

    public const uint VectorMask = 0xFF;
    public const uint DeliveryModeMask = 0x700;

    /// <summary>What perf_load_guest_lvtpc() programs: fixed delivery on 0xF5, masked when the guest's is.</summary>
    public static uint GuestLoaded(uint guestLvtpc) => DeliveryFixed | MediatedPmiVector | (guestLvtpc & Masked);

    public static bool IsMasked(uint lvtpc) => (lvtpc & Masked) != 0;
}
