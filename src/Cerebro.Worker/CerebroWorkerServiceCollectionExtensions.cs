using Cerebro.Worker;
using Cerebro.Worker.Internal;
using Cerebro.Worker.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Cerebro workers to an application.</summary>
public static class CerebroWorkerServiceCollectionExtensions
{
    /// <summary>
    /// Adds a Cerebro worker (an agent): a hosted service that declares its tasks to Cerebro, runs the tasks Cerebro
    /// invokes and reports their state. Choose a transport (<c>UseRabbitMq</c> or <c>UseHostBus</c>) and add tasks
    /// on the returned builder. Call it once per agent; several agents may share one application.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">
    /// Changes the options after they are bound from the <c>Cerebro:Worker</c> configuration section.
    /// </param>
    /// <returns>The builder of this worker.</returns>
    public static ICerebroWorkerBuilder AddCerebroWorker(this IServiceCollection services, Action<CerebroWorkerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        var existing = services.Count(d => d.ServiceType == typeof(WorkerRegistration));
        var name = existing == 0 ? Options.Options.DefaultName : $"cerebro-worker-{existing + 1}";
        var registration = new WorkerRegistration(name);
        services.AddSingleton(registration);

        var options = services.AddOptions<CerebroWorkerOptions>(name).BindConfiguration(CerebroWorkerOptions.SectionName);
        if (configure is not null)
            options.Configure(configure);
        options.PostConfigure<IConfiguration>((o, configuration) =>
        {
            if (string.IsNullOrWhiteSpace(o.RabbitMqUri))
                o.RabbitMqUri = configuration.GetConnectionString(CerebroWorkerOptions.ConnectionStringName);
        });
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CerebroWorkerOptions>, CerebroWorkerOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.AddKeyedSingleton(name, (sp, _) => ActivatorUtilities.CreateInstance<WorkerRuntime>(sp, registration));
        services.AddCerebroWorkerTelemetry(name);
        services.AddSingleton<IHostedService>(sp => new CerebroWorkerService(sp.GetRequiredKeyedService<WorkerRuntime>(name)));
        services.AddSingleton<IHostedService>(sp => new HeartbeatService(sp.GetRequiredKeyedService<WorkerRuntime>(name)));
        services.AddSingleton<ICerebroWorkerStatus>(sp => sp.GetRequiredKeyedService<WorkerRuntime>(name).Status);

        return new CerebroWorkerBuilder(services, registration);
    }
}
