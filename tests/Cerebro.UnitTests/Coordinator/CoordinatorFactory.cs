using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cerebro.UnitTests.Coordinator;

/// <summary>
/// The real coordinator (Program: AddCerebro + the HTTP API) on its embedded defaults, SQLite in
/// <paramref name="sqlitePath"/> and the in-memory transport, with a manual clock. The deadline sweeper and stall
/// recovery run once at start and then only when a test calls them.
/// </summary>
public sealed class CoordinatorFactory(string sqlitePath, ManualTimeProvider clock, LogSink logs, string environment = "Production")
    : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // Production is what a plain `cerebro` process runs as; the container's scope validation (Development only)
        // has a test of its own, CoordinatorHostingTests.
        builder.UseEnvironment(environment);
        builder.UseSetting("Cerebro:SqlitePath", sqlitePath);
        builder.UseSetting("Cerebro:DeadlineSweepInterval", "1.00:00:00");
        builder.UseSetting("Cerebro:RecoveryInterval", "1.00:00:00");

        // A developer's environment must not point these tests at a real broker or database.
        builder.UseSetting("ConnectionStrings:Cerebro", "");
        builder.UseSetting("ConnectionStrings:RabbitMq", "");

        builder.ConfigureLogging(logging =>
        {
            logging.ClearProviders();
            logging.AddProvider(logs);
            logging.AddFilter("Cerebro", LogLevel.Debug);
        });
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(clock));
    }
}
