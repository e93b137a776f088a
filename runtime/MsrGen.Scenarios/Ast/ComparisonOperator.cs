namespace MsrGen.Scenarios;

public enum ComparisonOperator
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

public static class ComparisonOperators
{
    public static string ToSymbol(this ComparisonOperator op) => op switch
    {
        ComparisonOperator.Equal => "==",
        ComparisonOperator.NotEqual => "!=",
        ComparisonOperator.Less => "<",
        ComparisonOperator.LessOrEqual => "<=",
        ComparisonOperator.Greater => ">",
        _ => ">=",
    };

    /// <summary>Unsigned 64-bit comparison of <paramref name="actual"/> against <paramref name="expected"/>.</summary>
    public static bool Holds(this ComparisonOperator op, ulong actual, ulong expected) => op switch
    {
        ComparisonOperator.Equal => actual == expected,
        ComparisonOperator.NotEqual => actual != expected,
        ComparisonOperator.Less => actual < expected,
        ComparisonOperator.LessOrEqual => actual <= expected,
        ComparisonOperator.Greater => actual > expected,
        _ => actual >= expected,
    };

    internal static bool TryParse(string symbol, out ComparisonOperator op)
    {
        (var ok, op) = symbol switch
        {
            "==" => (true, ComparisonOperator.Equal),
            "!=" => (true, ComparisonOperator.NotEqual),
            "<" => (true, ComparisonOperator.Less),
            "<=" => (true, ComparisonOperator.LessOrEqual),
            ">" => (true, ComparisonOperator.Greater),
            ">=" => (true, ComparisonOperator.GreaterOrEqual),
            _ => (false, ComparisonOperator.Equal),
        };
        return ok;
    }
}
