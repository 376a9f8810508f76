using Microsoft.AspNetCore.Diagnostics;

namespace Cerebro.Server.Api;

/// <summary>The HTTP API under /api: JSON in camelCase, every error as problem details (application/problem+json).</summary>
public static class CerebroApi
{
    public static IServiceCollection AddCerebroApi(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        // Outside Development a request that cannot be bound only gets an empty 400 and a log line; thrown, its reason
        // reaches the client through BadRequestExceptionHandler.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return services;
    }

    public static WebApplication MapCerebroApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages(WriteStatusProblemAsync);

        var api = app.MapGroup("/api");
        api.MapAgents();
        api.MapTasks();
        api.MapSchedules();
        api.MapRuns();
        api.MapIgnoredMessages();
        app.MapHealthChecks("/health");
        return app;
    }

    /// <summary>An error answered by routing rather than by an endpoint (no route, a route value of the wrong type, a wrong method), which has no body of its own.</summary>
    private static async Task WriteStatusProblemAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        var request = http.Request;
        var detail = http.Response.StatusCode switch
        {
            StatusCodes.Status404NotFound =>
                $"nothing answers {request.Method} {request.Path}: no such route, or a route value is malformed (ids are GUIDs)",
            StatusCodes.Status405MethodNotAllowed =>
                $"{request.Path} does not answer {request.Method}; it answers {http.Response.Headers.Allow}",
            _ => null,
        };
        // A client that accepts no JSON at all gets the status alone.
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = { Status = http.Response.StatusCode, Detail = detail },
        }).ConfigureAwait(false);
    }
}
