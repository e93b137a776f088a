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
}
