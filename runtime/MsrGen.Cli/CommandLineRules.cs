using System.CommandLine.Parsing;

namespace MsrGen.Cli;

/// <summary>Rules every command shares: exit codes as help lists them, and no flag taken for a file name.</summary>
internal static class CommandLineRules
{
    public const string ExitCodes =
        "Exit codes: 0 every expectation held; 1 an expectation or a host-side action without '=>' failed; 2 bad input (unknown option or value, malformed scenario, unreadable file, work limit exceeded); 3 an internal error of MsrGen on some file.";

    public const string DecodeExitCodes = "Exit codes: 0 decoded; 2 bad input (unknown register, option or value, or a value that is not a 64-bit number).";

    /// <summary>
    /// An argument token that starts with '-' is an option the command does not have, not a file
    /// name (a file named so can be given as ./-name).
    /// </summary>
    public static void RejectOptionLikeTokens(ArgumentResult result)
    {
        foreach (var token in result.Tokens)
        {
            if (token.Value.Length > 1 && token.Value[0] == '-')
            {
                result.AddError($"unknown option '{token.Value}' (a file whose name starts with '-' is written ./{token.Value})");
                return;
            }
        }
    }
}
