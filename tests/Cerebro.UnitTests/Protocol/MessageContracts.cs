using Cerebro.Contracts;

namespace Cerebro.UnitTests.Protocol;

/// <summary>Each message type of the protocol with its C# contract.</summary>
internal static class MessageContracts
{
    public static IReadOnlyDictionary<string, Type> ByType { get; } = new Dictionary<string, Type>
    {
        [MessageTypes.ServerReady] = typeof(ServerReady),
        [MessageTypes.ServerHeartbeat] = typeof(ServerHeartbeat),
        [MessageTypes.ServerStopping] = typeof(ServerStopping),
        [MessageTypes.TaskQueued] = typeof(TaskQueued),
        [MessageTypes.TaskStarted] = typeof(TaskStarted),
        [MessageTypes.TaskCompleted] = typeof(TaskCompleted),
        [MessageTypes.TaskFailed] = typeof(TaskFailed),
        [MessageTypes.RunRequested] = typeof(RunRequested),
        [MessageTypes.InvokeTask] = typeof(InvokeTask),
        [MessageTypes.DeclarationAccepted] = typeof(DeclarationAccepted),
        [MessageTypes.DeclarationRejected] = typeof(DeclarationRejected),
        [MessageTypes.TaskRunErrored] = typeof(TaskRunErrored),
    };

    /// <summary>Every value of <see cref="MessageTypes"/>, read by reflection so a new constant cannot be forgotten.</summary>
    public static IReadOnlyList<string> AllMessageTypes { get; } = typeof(MessageTypes)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(field => field.IsLiteral && field.FieldType == typeof(string))
        .Select(field => (string)field.GetRawConstantValue()!)
        .Order(StringComparer.Ordinal)
        .ToList();

    /// <summary>The shared structures of common.schema.json with their C# contract.</summary>
    public static IReadOnlyDictionary<string, Type> CommonDefinitions { get; } = new Dictionary<string, Type>
    {
        ["taskDeclaration"] = typeof(TaskDeclaration),
        ["upstream"] = typeof(UpstreamDeclaration),
        ["timeouts"] = typeof(TaskTimeouts),
        ["taskProblem"] = typeof(TaskProblem),
        ["taskRunEvent"] = typeof(TaskRunEvent),
    };
}
