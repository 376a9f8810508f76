namespace Cerebro.Server.Runs;

/// <summary>The run states as the saga stores them (the API shows them in lower case).</summary>
public static class RunStates
{
    public const string Running = "Running";
    public const string Succeeded = "Succeeded";
    public const string Failed = "Failed";
}
