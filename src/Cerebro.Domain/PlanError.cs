namespace Cerebro.Domain;

/// <summary>Why a run could not be planned, so the coordinator can answer without parsing text.</summary>
public enum PlanError
{
    /// <summary>The run was planned.</summary>
    None,

    /// <summary>No agent declares the requested task.</summary>
    UnknownTask,

    /// <summary>The requested task is declared but depends on something no agent declares.</summary>
    Unresolved,
}
