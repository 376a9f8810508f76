namespace Cerebro.Worker.Internal;

/// <summary>A service provider with no services, the default of a hand-made <see cref="TaskContext"/>.</summary>
internal sealed class EmptyServiceProvider : IServiceProvider
{
    public static EmptyServiceProvider Instance { get; } = new();

    public object? GetService(Type serviceType) => null;
}
