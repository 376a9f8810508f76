namespace Cerebro.Server.Runs;

public enum RunLaunchOutcome
{
    Launched,
    AlreadyExists,
    UnknownTask,
    Unresolved,
}
