using Xunit;

namespace MsrGen.Generator.Tests.Diagnostics;

// 'rename FIELD@k NAME' inside a group: one element's own name for a field's bits.
public sealed partial class DefinitionDiagnosticTests
{
    [Fact]
    public void MSRGEN9014_rename_of_an_element_past_the_groups_max()
    {
        AssertReportedAt("MSRGEN9014", """
            msr CTRL 0x10
              vendor intel
              access rw
              reserved 63:8
              group SLOT{n} at=0 stride=4 max=2 count=fixed
                field 3:1 MODE
                field 0 ON
                rename ON@2 LAST_ON
              end
            end
            """, line: 8, token: "ON@2");
    }

    [Fact]
    public void MSRGEN9014_rename_of_a_field_the_group_does_not_have()
    {
        AssertReportedAt("MSRGEN9014", """
            msr CTRL 0x10
              vendor intel
              access rw
              reserved 63:8
              group SLOT{n} at=0 stride=4 max=2 count=fixed
                rename OFF@1 LAST_OFF
                field 3:1 MODE
                field 0 ON
              end
            end
            """, line: 6, token: "OFF@1");
    }

    [Fact]
    public void MSRGEN9014_rename_without_an_element_index()
    {
        AssertReportedAt("MSRGEN9014", """
            msr CTRL 0x10
              vendor intel
              access rw
              reserved 63:8
              group SLOT{n} at=0 stride=4 max=2 count=fixed
                field 3:1 MODE
                field 0 ON
                rename ON LAST_ON
              end
            end
            """, line: 8, token: "ON", occurrence: 1);
    }

    [Fact]
    public void MSRGEN9006_rename_to_another_fields_name()
    {
        AssertReportedAt("MSRGEN9006", """
            msr CTRL 0x10
              vendor intel
              access rw
              reserved 63:8
              group SLOT{n} at=0 stride=4 max=2 count=fixed
                field 3:1 MODE
                field 0 ON
                rename ON@1 MODE
              end
            end
            """, line: 8, token: "MODE");
    }
}
