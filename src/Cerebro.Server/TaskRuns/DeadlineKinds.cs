namespace Cerebro.Server.TaskRuns;

/// <summary>What a task run waits for when its deadline passes.</summary>
public static class DeadlineKinds
{
    /// <summary>From the invoke to queued or started.</summary>
    public const string Ack = "ack";

    /// <summary>From queued to started.</summary>
    public const string Start = "start";

    /// <summary>From started to completed or failed.</summary>
    public const string Complete = "complete";
}
