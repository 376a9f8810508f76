namespace Cerebro.Worker.Internal;

/// <summary>Every registered task handler, whatever its registered shape, normalised to this.</summary>
internal delegate Task<object?> TaskHandler(TaskContext context, CancellationToken cancellationToken);
