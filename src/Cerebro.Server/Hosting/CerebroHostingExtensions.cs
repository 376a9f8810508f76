using Cerebro.Server.Agents;
using Cerebro.Server.Api;
using Cerebro.Server.Deadlines;
using Cerebro.Server.Persistence;
using Cerebro.Server.Persistence.Sagas;
using Cerebro.Server.Recovery;
using Cerebro.Server.Runs;
using Cerebro.Server.Scheduling;
using Cerebro.Server.TaskRuns;
using Cerebro.Server.Telemetry;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Cerebro.Server.Hosting;

/// <summary>Wires Cerebro into a host: PostgreSQL and RabbitMQ when their connection strings are set, SQLite and the in-memory transport otherwise.</summary>
public static class CerebroHostingExtensions
{
    public static IHostApplicationBuilder AddCerebro(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddOptions<CerebroOptions>().BindConfiguration(CerebroOptions.Section);
        services.AddSingleton(TimeProvider.System);
        builder.AddCerebroTelemetry();

        var postgres = configuration.GetConnectionString("Cerebro");
        var sqlitePath = configuration[$"{CerebroOptions.Section}:{nameof(CerebroOptions.SqlitePath)}"] ?? new CerebroOptions().SqlitePath;
        // Pooled: the options are built once and contexts are reused, instead of both being built again for every
        // message's scope (the context is still resolvable per scope, as the saga repository needs).
        services.AddPooledDbContextFactory<CerebroDbContext>(options =>
        {
            if (!string.IsNullOrWhiteSpace(postgres))
                options.UseNpgsql(PostgresConnection.WithCerebroDefaults(postgres));
            else
                options.UseSqlite($"Data Source={sqlitePath};Cache=Shared;Default Timeout=30");
        });

        services.AddSingleton<GraphStore>();
        services.AddScoped<IgnoredMessageLog>();
        services.AddScoped<DeclarationService>();
        services.AddScoped<RunLauncher>();
        services.AddHostedService<DatabaseInitializer>();

        var rabbitMq = configuration.GetConnectionString("RabbitMq");
        var directTaskEvents = configuration.GetValue($"{CerebroOptions.Section}:{nameof(CerebroOptions.DirectTaskEvents)}",
            new CerebroOptions().DirectTaskEvents);
        services.AddSingleton(!string.IsNullOrWhiteSpace(rabbitMq) && directTaskEvents
            ? new TaskEventsRoute(Cerebro.Contracts.Topology.TaskEventsExchange)
            : TaskEventsRoute.None);
        services.AddMassTransit(x =>
        {
            x.AddSagaStateMachine<TaskRunStateMachine, TaskRunState, TaskRunStateDefinition>().EfCoreRepository<CerebroDbContext>();
            x.AddSagaStateMachine<RunStateMachine, RunState, RunStateDefinition>().EfCoreRepository<CerebroDbContext>();
            x.AddConsumer<AgentEventConsumer, AgentEventConsumerDefinition>();

            if (!string.IsNullOrWhiteSpace(rabbitMq))
            {
                var address = RabbitMqAddress.Parse(rabbitMq);
                x.UsingRabbitMq((context, cfg) =>
                {
                    cfg.Host(address.Host, address.Port, address.VirtualHost, h =>
                    {
                        h.Username(address.Username);
                        h.Password(address.Password);
                    });
                    cfg.AddRawJsonSerializer(RawSerializerOptions.AnyMessageType);
                    cfg.ConfigureEndpoints(context);
                });
            }
            else
            {
                x.UsingInMemory((context, cfg) =>
                {
                    cfg.AddRawJsonSerializer(RawSerializerOptions.AnyMessageType);
                    cfg.ConfigureEndpoints(context);
                });
            }
        });

        services.AddHostedService<DeadlineSweeper>();
        services.AddSingleton<QueueLag>();
        services.AddHostedService<StallRecovery>();
        services.AddSingleton<CronScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<CronScheduler>());
        services.AddHealthChecks();
        services.AddCerebroApi();
        return builder;
    }
}
