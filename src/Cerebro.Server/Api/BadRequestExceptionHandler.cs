using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

namespace Cerebro.Server.Api;

/// <summary>
/// Answers a request the API could not bind (a body that is not JSON, a query value of the wrong type, a wrong content
/// type) with its own status and the reason as problem details. Any other exception is left to the default handler,
/// which answers 500 without the exception's details and logs it.
/// </summary>
internal sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest)
            return false;

        httpContext.Response.StatusCode = badRequest.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = badRequest.StatusCode,
                Detail = badRequest.InnerException is JsonException json
                    ? $"the request body is not valid JSON for this call: {json.Message}"
                    : badRequest.Message,
            },
        }).ConfigureAwait(false);
    }
}
