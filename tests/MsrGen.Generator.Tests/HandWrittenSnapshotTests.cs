using MsrGen.Generator.Tests.Infrastructure;
using Xunit;

namespace MsrGen.Generator.Tests;

/// <summary>Small definition files, each exercising one part of the language, snapshotted and compiled.</summary>
public sealed class HandWrittenSnapshotTests
{
    private static GeneratorRun RunClean(string fileName, string text)
    {
        var run = GeneratorHarness.Run(GeneratorHarness.Definition(fileName, text));
        Assert.Empty(run.GeneratorDiagnostics);
        GeneratorHarness.AssertCompilesCleanly(run);
        return run;
    }

    [Fact]
    public void FieldArrays()
    {
        var run = RunClean("field-arrays.msr", """
            vendor intel
            msr TEST_GROUPS 0x100
              access rw
              reserved 63:16
              group CTRL{n} at=0 stride=4 max=4 count=fixed "Per-counter controls"
                field 3 PMI "Interrupt on overflow"
                reserved 2
                field 1:0 RING
              end
            end
            msr TEST_BITS 0x101
              access rw
              reserved 63:40
              array-field EN_HI{n} at=32 width=1 max=8 count=fixed "High enables"
              array-field EN{n} at=0 width=1 max=32 count=gp reset=1 "Enables"
            end
            msr TEST_LANES{n} 0x200
              array stride=2 max=4 count=gp
              access rw
              reserved 63:16
              array-field LANE{n} at=0 width=4 max=4
            end
            """);
        Snapshot.VerifyRun(run);
    }

    [Fact]
    public void GroupElementRenames()
    {
        var run = RunClean("renames.msr", """
            vendor intel
            msr TEST_SLOTS 0x102
              access rw
              reserved 63:12
              group SLOT{n} at=0 stride=4 max=3 count=fixed "Per-slot controls"
                field 3 PMI "Interrupt on overflow"
                field 2 SHARED when false "Shared; the last slot's bit clears instead"
                rename SHARED@2 CLEAR
                field 1:0 RING
              end
            end
            """);
        Snapshot.VerifyRun(run);
    }

    [Fact]
    public void CapabilityDependentReservedBits()
    {
        var run = RunClean("caps.msr", """
            vendor intel
            msr TEST_EVTSEL{n} 0x300
              array stride=1 max=8 count=gp
              access rw
              reserved 63:36
              field 35 NEVER when false "Defined, never given to a guest"
              field 34 BASELINE when pebs-baseline && pebs-format != 0
              field 33 ONLY_TWO when tsx && n == 2
              field 32 TSX_ONLY when tsx
              field 31:16 RATIO when version >= 2 || perfmon-v2
              field 15:0 COUNT width=gp-width
            end
            """);
        Snapshot.VerifyRun(run);
    }

    [Fact]
    public void Enumerations()
    {
        var run = RunClean("enums.msr", """
            vendor amd
            msr TEST_MODE 0x400
              access rw
              reset 0x2
              reserved 63:8
              enum 7:4 SPEED "Clock speed"
                0 SLOW "Slow"
                1 MEDIUM
                15 FAST "Fast"
              end
              enum 3:0 KIND
                2 DEFAULT_KIND
                3 OTHER
              end
            end
            """);
        Snapshot.VerifyRun(run);
    }

    [Fact]
    public void AccessAndSideEffects()
    {
        var run = RunClean("access.msr", """
            vendor intel
            msr TEST_STATUS 0x500
              access ro
              host-access rw
              reserved 63:2
              field 1 OVF
              field 0 READY
            end
            msr TEST_CLEAR 0x501
              access wo
              effects w1c
              reserved 63:2
              field 1 CLR_OVF w1c
              field 0 CLR_READY w1c
            end
            msr TEST_MIXED 0x502
              access rw
              effects w1s reads-zero
              reserved-writes drop
              reserved 63:3
              field 2 STICKY rc
              field 1 LOCKED ro
              field 0 SET_ME w1s
            end
            """);
        Snapshot.VerifyRun(run);
    }

    [Fact]
    public void SyntheticRegister()
    {
        var run = RunClean("synthetic.msr", """
            msr MSR_TEST_PV_CTRL 0x4B564DF0
              vendor synthetic
              access rw
              gate pv-lbr-ctrl
              switched no
              source "hand-written test case"
              doc "A synthetic paravirtual MSR <with> markup & quotes \"inside\"."
              reserved 63:1
              field 0 ENABLE
            end
            """);
        Snapshot.VerifyRun(run);
    }

    [Fact]
    public void ProfilesAndIntercepts()
    {
        var run = RunClean("profiles.msr", """
            vendor kvm
            msr TEST_UPSTREAM 0x4B564DF1
              profile upstream
              access rw
              reserved 63:1
              field 0 ON
            end
            msr TEST_PROPOSAL 0x4B564DF1
              profile pv-lbr-2018
              vendor synthetic
              access rw
              reserved 63:1
              field 0 ON
            end
            msr TEST_PMC{n} 0xC1
              vendor intel
              array stride=1 max=4 count=gp
              access rw
              intercept emulated rw
              intercept mediated none when n < gp
              intercept mediated r when n < host.gp
              field 63:0 COUNT width=gp-width
            end
            """);
        Snapshot.VerifyRun(run);
    }

    [Fact]
    public void BrokenFileStillGeneratesItsValidRegisters()
    {
        var run = GeneratorHarness.Run(GeneratorHarness.Definition("broken.msr", """
            vendor intel
            msr GOOD_BEFORE 0x10
              access rw
              reserved 63:8
              field 7:0 VALUE
            end
            msr OVERLAP 0x11
              access rw
              reserved 63:8
              field 7:0 A
              field 3 B
            end
            msr GAP 0x12
              access rw
              reserved 63:9
              field 7:0 A
            end
            msr BAD_CAP 0x13
              access rw
              reserved 63:1
              field 0 A when no-such-cap
            end
            msr GOOD_AFTER 0x14
              access ro
              reserved 63:1
              field 0 READY
            end
            """));

        Assert.NotEmpty(run.GeneratorDiagnostics);
        GeneratorHarness.AssertCompilesCleanly(run);
        Snapshot.VerifyRun(run);
    }
}
