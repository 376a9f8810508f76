namespace Cerebro.Server.TaskRuns;

/// <summary>The task-run states as the saga stores them (the API shows them in lower case).</summary>
public static class TaskRunStates
{
    public const string Pending = "Pending";
    public const string Invoked = "Invoked";
    public const string Queued = "Queued";
    public const string Started = "Started";
    public const string Completed = "Completed";
    public const string Error = "Error";
    public const string Blocked = "Blocked";
    public const string Reused = "Reused";

    public static bool IsTerminal(string state) =>
        state is Completed or Error or Blocked or Reused;

    public static bool IsSuccess(string state) => state is Completed or Reused;
}
