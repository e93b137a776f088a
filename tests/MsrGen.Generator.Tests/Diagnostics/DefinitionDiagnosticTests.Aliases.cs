using Xunit;

namespace MsrGen.Generator.Tests.Diagnostics;

// 'alias': other names of a register (the kernel's msr-index.h names).
public sealed partial class DefinitionDiagnosticTests
{
    [Fact]
    public void MSRGEN9014_scalar_alias_naming_an_instance()
    {
        AssertReportedAt("MSRGEN9014", """
            msr ONE 0x10
              vendor intel
              alias MSR_ONE@1
              access rw
              reserved 63:0
            end
            """, line: 3, token: "MSR_ONE@1");
    }

    [Fact]
    public void MSRGEN9014_array_alias_without_an_index()
    {
        AssertReportedAt("MSRGEN9014", """
            msr MANY{n} 0x10
              vendor intel
              array stride=1 max=2 count=gp
              alias MSR_MANY
              access rw
              reserved 63:0
            end
            """, line: 4, token: "MSR_MANY");
    }

    [Fact]
    public void MSRGEN9006_alias_that_is_another_registers_name()
    {
        AssertReportedAt("MSRGEN9006", """
            msr FIRST 0x10
              vendor intel
              access rw
              reserved 63:0
            end
            msr SECOND 0x11
              vendor intel
              alias FIRST
              access rw
              reserved 63:0
            end
            """, line: 6, token: "SECOND");
    }

    // 'kernel': which of the register's names the kernel's code uses (the trace decoder prints it).
    [Fact]
    public void MSRGEN9014_kernel_name_that_is_not_a_name_of_the_register()
    {
        AssertReportedAt("MSRGEN9014", """
            msr ONE 0x10
              vendor intel
              alias MSR_ONE
              kernel MSR_TWO
              access rw
              reserved 63:0
            end
            """, line: 4, token: "MSR_TWO");
    }

    [Fact]
    public void MSRGEN9014_array_kernel_name_without_its_index()
    {
        AssertReportedAt("MSRGEN9014", """
            msr MANY{n} 0x10
              vendor intel
              array stride=1 max=2 count=gp
              alias MSR_MANY0@0
              kernel MSR_MANY0
              access rw
              reserved 63:0
            end
            """, line: 5, token: "MSR_MANY0");
    }

    [Fact]
    public void MSRGEN9014_offset_kernel_name_of_a_strided_array()
    {
        // MSR_F15H_PERF_CTL + 1 is a counter, not the second event select: with stride 2 an
        // offset from the first address does not name instance n.
        AssertReportedAt("MSRGEN9014", """
            msr CTL{n} 0x10
              vendor amd
              array stride=2 max=6 count=gp
              alias MSR_CTL@0
              kernel MSR_CTL+n
              access rw
              reserved 63:0
            end
            """, line: 5, token: "MSR_CTL+n");
    }

    [Fact]
    public void MSRGEN9014_offset_kernel_name_that_is_not_instance_zero()
    {
        AssertReportedAt("MSRGEN9014", """
            msr MANY{n} 0x10
              vendor intel
              array stride=1 max=4 count=gp
              alias MSR_MANY1@1
              kernel MSR_MANY1+n
              access rw
              reserved 63:0
            end
            """, line: 5, token: "MSR_MANY1+n");
    }

    [Fact]
    public void MSRGEN9006_second_kernel_name()
    {
        AssertReportedAt("MSRGEN9006", """
            msr ONE 0x10
              vendor intel
              alias MSR_ONE MSR_UNO
              kernel MSR_ONE
              kernel MSR_UNO
              access rw
              reserved 63:0
            end
            """, line: 5, token: "MSR_UNO");
    }

    [Fact]
    public void MSRGEN9001_kernel_line_without_a_name()
    {
        AssertReportedAt("MSRGEN9001", """
            msr ONE 0x10
              vendor intel
              kernel
              access rw
              reserved 63:0
            end
            """, line: 3, token: "kernel");
    }
}
