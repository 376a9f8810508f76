using Cerebro.Server.Hosting;

namespace Cerebro.Demo;

internal static class DemoHostingExtensions
{
    /// <summary>Cerebro on the embedded defaults, both demo agents beside it on the same in-memory bus, and one demo run.</summary>
    public static WebApplicationBuilder AddCerebroDemo(this WebApplicationBuilder builder)
    {
        if (string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]) && string.IsNullOrEmpty(builder.Configuration["urls"]))
            builder.WebHost.UseUrls("http://127.0.0.1:5080");
        builder.Logging.AddFilter("MassTransit", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        builder.Logging.AddFilter("Cerebro", LogLevel.Warning);
        builder.AddCerebro();
        builder.Services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.Section);
        builder.Services.AddHostedService<DemoAgents>();
        builder.Services.AddHostedService<DemoRun>();
        return builder;
    }
}
