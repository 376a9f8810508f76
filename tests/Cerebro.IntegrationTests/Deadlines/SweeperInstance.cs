using Cerebro.Server.Deadlines;
using Cerebro.Server.Hosting;
using Cerebro.Server.Persistence;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cerebro.IntegrationTests.Deadlines;

/// <summary>
/// The deadline sweeping of one Cerebro instance: Cerebro's <see cref="DeadlineSweeper"/> in a service provider of
/// its own (its own DbContexts, a scope per sweep) on a shared PostgreSQL database, sending to an in-memory bus that
/// keeps every <see cref="DeadlineDue"/> it fired.
/// </summary>
public sealed class SweeperInstance : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly ITestHarness _harness;

    private SweeperInstance(string name, ServiceProvider provider)
    {
        Name = name;
        _provider = provider;
        _harness = provider.GetRequiredService<ITestHarness>();
        Sweeper = provider.GetRequiredService<DeadlineSweeper>();
    }

    public string Name { get; }

    public DeadlineSweeper Sweeper { get; }

    /// <summary>Every deadline this instance fired, in order.</summary>
    public IReadOnlyList<DeadlineDue> Fired =>
        _harness.Sent.Select<DeadlineDue>().Select(m => m.Context.Message).ToList();

    public static async Task<SweeperInstance> StartAsync(string name, string connectionString)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<CerebroOptions>();
        services.AddDbContext<CerebroDbContext>(options => options.UseNpgsql(connectionString));
        services.AddMassTransitTestHarness(TextWriter.Null, x => x.SetTestTimeouts(testTimeout: TimeSpan.FromSeconds(60)));
        services.AddSingleton<DeadlineSweeper>();
        var provider = services.BuildServiceProvider(validateScopes: true);
        try
        {
            await provider.GetRequiredService<ITestHarness>().Start();
            return new SweeperInstance(name, provider);
        }
        catch
        {
            await provider.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sweeps until a sweep finds nothing due, as one pass of the hosted sweeper does; returns how many fired.</summary>
    public async Task<int> SweepUntilNoneDueAsync()
    {
        var total = 0;
        for (int fired; (fired = await Sweeper.SweepOnceAsync(CancellationToken.None)) > 0;)
            total += fired;
        return total;
    }

    public async ValueTask DisposeAsync()
    {
        await _harness.Stop();
        await _provider.DisposeAsync();
    }
}
