using Cerebro.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Cerebro.UnitTests.Worker;

/// <summary>A service collection with configuration, as a host would have, for registration and options tests.</summary>
internal static class WorkerServices
{
    public static (IServiceCollection Services, ICerebroWorkerBuilder Worker) Create(
        IDictionary<string, string?>? configuration = null, Action<CerebroWorkerOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(configuration ?? new Dictionary<string, string?>()).Build());
        services.AddLogging();
        return (services, services.AddCerebroWorker(configure));
    }
}
