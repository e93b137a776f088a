namespace System.Runtime.CompilerServices;

/// <summary>netstandard2.0 lacks this marker type; the compiler needs it for records and init accessors.</summary>
internal static class IsExternalInit
{
}
