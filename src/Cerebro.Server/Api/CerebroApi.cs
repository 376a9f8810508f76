namespace Cerebro.Server.Api;

/// <summary>The HTTP API under /api: JSON in camelCase, errors as problem details.</summary>
public static class CerebroApi
{
    public static WebApplication MapCerebroApi(this WebApplication app)
    {
        var api = app.MapGroup("/api");
        api.MapAgents();
        api.MapTasks();
        api.MapSchedules();
        api.MapRuns();
        api.MapIgnoredMessages();
        app.MapHealthChecks("/health");
        return app;
    }
}
