using MsrGen.Registers;
using MsrGen.Runtime.Hardware;

namespace MsrGen.Runtime.Mediated;

public sealed partial class MediatedVcpu
{
    // ---- guest and host work --------------------------------------------------------------------

    /// <summary>
    /// The guest runs for <paramref name="cycles"/>, retiring instructions and branches natively.
    /// A counter overflow while guest state is loaded arrives on vector 0xF5: a VM-exit, KVM's
    /// handler requests the PMI, and the next entry injects it through the guest's LVTPC.
    /// </summary>
    public void RunGuest(ulong cycles, ulong instructions, ulong branches = 0)
    {
        Entry();
        bool kernel = GuestKernelMode;
        bool amd = Pmu.Host.IsAmd;
        _cpu.Retire(PmuEventSelect.Events.Instructions, instructions, guestMode: true, kernel);
        _cpu.Retire(amd ? PmuEventSelect.Events.AmdBranches : PmuEventSelect.Events.Branches, branches, guestMode: true, kernel);
        _cpu.Retire(amd ? PmuEventSelect.Events.AmdCycles : PmuEventSelect.Events.Cycles, cycles, guestMode: true, kernel);
        Cycles += cycles;
        GuestCycles += cycles;
        if (_pmiLine)
        {
            _pmiLine = false;
            if ((_cpu.Lvtpc & LvtpcValues.VectorMask) == LvtpcValues.MediatedPmiVector && (_cpu.Lvtpc & LvtpcValues.DeliveryModeMask) == LvtpcValues.DeliveryFixed)
            {
                Exit(ExitKind.ExternalInterrupt);
                Pmu.HandleMediatedPmi();
            }
            else
            {
                HostPmis++;
            }
        }
    }

    /// <summary>Host code runs on this CPU with the vCPU task outside KVM_RUN.</summary>
    public void RunHost(ulong cycles, ulong instructions)
    {
        if (Location is VcpuLocation.GuestMode or VcpuLocation.RunLoop)
        {
            ReturnToUserspace();
        }

        _cpu.Retire(PmuEventSelect.Events.Instructions, instructions, guestMode: false, kernelMode: false);
        if (_pmiLine)
        {
            _pmiLine = false;
            HostPmis++;
        }

        ChargeHost(cycles);
    }

    /// <summary>
    /// Host code runs on this CPU while the vCPU task stays inside KVM_RUN (interrupt handlers,
    /// halt-polling): host exclude_guest events count it only if guest context is not loaded.
    /// </summary>
    public void RunHostInsideKvm(ulong cycles, ulong instructions)
    {
        if (Location == VcpuLocation.GuestMode)
        {
            Exit(ExitKind.ExternalInterrupt);
        }

        _cpu.Retire(PmuEventSelect.Events.Instructions, instructions, guestMode: false, kernelMode: true);
        if (_pmiLine)
        {
            _pmiLine = false;
            HostPmis++;
        }

        ChargeHost(cycles);
    }

    /// <summary>A guest RDMSR: straight to hardware when passed through, else an exit and KVM's handler.</summary>
    public MsrAccessResult GuestRdmsr(uint address, out ulong value)
    {
        Entry();
        if (!Pmu.Intercepts.Intercepts(address, write: false))
        {
            GuestDirectAccesses++;
            return _cpu.GuestRead(address, out value);
        }

        ExitCore(ExitKind.Slow, retireInstruction: false);
        return RetireUnlessFaulted(Pmu.HandleRdmsr(address, out value));
    }

    /// <summary>A guest WRMSR: straight to hardware when passed through, else an exit and KVM's handler.</summary>
    public MsrAccessResult GuestWrmsr(uint address, ulong value)
    {
        Entry();
        if (!Pmu.Intercepts.Intercepts(address, write: true))
        {
            GuestDirectAccesses++;
            return _cpu.GuestWrite(address, value);
        }

        ExitCore(ExitKind.Slow, retireInstruction: false);
        return RetireUnlessFaulted(Pmu.HandleWrmsr(address, value));
    }

    /// <summary>A guest RDPMC: native when RDPMC passes through, else an exit and KVM's emulation.</summary>
    public MsrAccessResult GuestRdpmc(uint ecx, out ulong value)
    {
        Entry();
        if (!Pmu.Intercepts.RdpmcIntercepted)
        {
            GuestDirectAccesses++;
            return _cpu.TryRdpmc(ecx, out value) ? MsrAccessResult.Ok : MsrAccessResult.GeneralProtection;
        }

        ExitCore(ExitKind.Slow, retireInstruction: false);
        return RetireUnlessFaulted(Pmu.HandleRdpmc(ecx, out value));
    }

    /// <summary><paramref name="count"/> exits of one kind with no other PMU work (timer, IPI, CPUID...).</summary>
    public void GuestExits(ulong count, ExitKind kind)
    {
        for (ulong i = 0; i < count; i++)
        {
            Entry();
            Exit(kind);
        }
    }

    /// <summary>An emulated instruction retires after its handler, and only when it did not fault.</summary>
    private MsrAccessResult RetireUnlessFaulted(MsrAccessResult result)
    {
        if (result == MsrAccessResult.Ok)
        {
            EmulatedInstructions++;
            ChargeSwitch(() => Pmu.RetireEmulatedInstruction(GuestKernelMode));
        }

        return result;
    }
}
