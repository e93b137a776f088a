using System;
using CsCheck;
using MsrGen.Registers;
using MsrGen.Runtime.Lbr;

namespace MsrGen.Runtime.Tests.Lbr;

[TestClass]
public sealed class LbrPropertyTests
{
    private static readonly PmuCaps[] Hosts =
    [
        LbrWorld.SkylakeServer,
        LbrWorld.Broadwell,
        LbrWorld.Core2,
        LbrWorld.SkylakeServer with { LbrDepth = 0 },
        LbrWorld.SkylakeServer with { Features = PmuFeatures.Pdcm | PmuFeatures.ArchLbr },
    ];

    private static readonly uint[] Addresses =
    [
        Ia32Debugctl.Address, MsrLbrSelect.Address, MsrLbrTos.Address, MsrLbrNhmFrom.AddressOf(0), MsrLbrNhmFrom.AddressOf(31),
        MsrLbrNhmTo.AddressOf(15), MsrLbrNhmTo.AddressOf(16), MsrLbrCoreFrom.AddressOf(7), MsrLbrCoreTo.AddressOf(2),
        MsrLbrInfo.AddressOf(3), Ia32LbrCtl.Address, Ia32LbrDepth.Address, Ia32LbrFromIp.AddressOf(1), MsrKvmPvLbrCtrl.Address,
        Ia32PerfGlobalCtrl.Address, 0xFFFF_FFFF,
    ];

    private readonly record struct Op(int Kind, ulong Arg, int Address, ulong Value);

    private static readonly Gen<Op> GenOp = Gen.Select(Gen.Int[0, 16], Gen.ULong[0, 3000], Gen.Int[0, Addresses.Length - 1], Gen.ULong,
        (kind, arg, address, value) => new Op(kind, arg, address, value));

    [TestMethod]
    public void NoStrategyThrowsOnRandomEventSequencesAndAlwaysAndKvmNeverPollute()
    {
        Gen.Select(Gen.Enum<LbrStrategyKind>(), Gen.Int[0, Hosts.Length - 1], Gen.Bool, Gen.Bool, Gen.Long[1, 300_000], GenOp.Array[1, 60])
            .Sample((strategy, hostIndex, pv, mediated, window, ops) =>
            {
                var host = Hosts[hostIndex];
                var guest = pv ? host with { Features = host.Features | PmuFeatures.PvLbrCtrl } : host;
                var options = new LbrVmOptions
                {
                    Strategy = strategy,
                    TimerWindow = window,
                    Mediated = mediated,
                    Profile = pv ? MsrProfile.PvLbr2018 : MsrProfile.Upstream,
                };
                var world = new LbrWorld(host, guest, options);
                foreach (var op in ops)
                {
                    Apply(world, op);
                }

                var m = world.Metrics;
                if (m.HostLbrReads < 0 || m.HostLbrWrites < 0 || m.PollutedEntries < 0 || m.LostEntries < 0 || m.ExitCount < 0)
                {
                    return false;
                }

                return strategy is not (LbrStrategyKind.Always or LbrStrategyKind.Kvm) || m.PollutedReads == 0;
            }, iter: 400);
    }

    private static void Apply(LbrWorld world, Op op)
    {
        bool guestAction = op.Kind is 0 or >= 4 and <= 11 or 13 or 14;
        if (guestAction)
        {
            world.SchedIn();
        }

        switch (op.Kind)
        {
            case 0: world.GuestBranches(op.Arg % 200); break;
            case 1: world.HostThreadBranches(op.Arg, (int)(op.Arg % 3) + 1); break;
            case 2: world.SchedOut(); break;
            case 3: world.SchedIn(); break;
            case 4: world.Guest.EnableUserCallstack(); break;
            case 5: world.Guest.EnableSampling(); break;
            case 6: world.Guest.Disable(); break;
            case 7: world.Guest.ContextSwitch(); break;
            case 8: world.Guest.BeginContextSwitch(); break;
            case 9: world.Guest.FinishContextSwitch(); break;
            case 10: world.Guest.BeginPmi(); break;
            case 11: world.Guest.Read(); break;
            case 12: world.Idle((long)op.Arg * 100); break;
            case 13: world.Guest.CompletePending(); world.Vcpu.GuestRdmsr(Addresses[op.Address]); break;
            case 14: world.Guest.CompletePending(); world.Vcpu.GuestWrmsr(Addresses[op.Address], op.Value); break;
            case 15: world.Vcpu.SetHostOwnsLbr(op.Arg % 2 == 0); break;
            default: world.Vcpu.DeliverPmi(); break;
        }
    }
}
