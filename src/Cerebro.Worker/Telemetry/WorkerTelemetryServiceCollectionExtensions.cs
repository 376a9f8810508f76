using Cerebro.Worker.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cerebro.Worker.Telemetry;

/// <summary>Adds a worker's telemetry export; called by <c>AddCerebroWorker</c> before the worker's own hosted services.</summary>
internal static class WorkerTelemetryServiceCollectionExtensions
{
    public static IServiceCollection AddCerebroWorkerTelemetry(this IServiceCollection services, string name)
    {
        services.AddSingleton<IHostedService>(sp => new WorkerTelemetryService(name, sp.GetRequiredService<IOptionsMonitor<CerebroWorkerOptions>>(),
            sp.GetRequiredKeyedService<WorkerRuntime>(name)));
        if (WorkerExportSettings.FromEnvironment().Logs)
            services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoggerProvider, WorkerLoggerProvider>());
        return services;
    }
}
