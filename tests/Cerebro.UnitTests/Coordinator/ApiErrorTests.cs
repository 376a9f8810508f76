using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;
using static Cerebro.UnitTests.Coordinator.TestTasks;

namespace Cerebro.UnitTests.Coordinator;

/// <summary>Every error of the HTTP API is problem details, whether an endpoint, routing, binding or a fault answers it.</summary>
public sealed class ApiErrorTests(ITestOutputHelper output) : CoordinatorTest(output)
{
    [Fact]
    public async Task MalformedJsonBody_Is400Problem_SayingTheBodyIsNotJson()
    {
        using var body = new StringContent("{\"task\": \"extract\",", Encoding.UTF8, "application/json");

        var response = await Server.Http.PostAsync("/api/runs", body);

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("Bad Request", problem.Title);
        Assert.StartsWith("the request body is not valid JSON", problem.Detail);
        Assert.Empty(await Server.Http.GetFromJsonAsync<List<Cerebro.Server.Api.RunSummaryView>>("/api/runs") ?? []);
    }

    [Fact]
    public async Task QueryValueOfTheWrongType_Is400Problem_NamingTheValue()
    {
        var response = await Server.Http.GetAsync("/api/runs?limit=many");

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("\"many\"", problem.Detail);
    }

    [Theory]
    [InlineData("/api/runs/not-a-guid")]
    [InlineData("/api/no-such-thing")]
    public async Task NoRouteMatches_Is404Problem(string path)
    {
        var response = await Server.Http.GetAsync(path);

        var problem = await ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Equal("Not Found", problem.Title);
        Assert.Contains($"GET {path}", problem.Detail);
    }

    [Fact]
    public async Task WrongMethod_Is405Problem_NamingTheMethodsTheRouteAnswers()
    {
        var response = await Server.Http.DeleteAsync("/api/runs");

        var problem = await ProblemAsync(response, HttpStatusCode.MethodNotAllowed);
        Assert.Equal("Method Not Allowed", problem.Title);
        Assert.Contains("does not answer DELETE", problem.Detail);
        Assert.Contains("GET", problem.Detail);
        Assert.Contains("POST", problem.Detail);
    }

    [Fact]
    public async Task UnknownTask_IsStillA404ProblemWithItsOwnTitle()
    {
        var response = await Server.PostRunAsync("nobody-declares-this");

        var problem = await ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Equal("Unknown task", problem.Title);
        Assert.Equal("no agent declares a task named 'nobody-declares-this'", problem.Detail);
    }

    [Fact]
    public async Task UnhandledException_Is500Problem_WithoutTheExceptionButLogged()
    {
        await AgentA.DeclareAsync(Task("extract"));
        var runId = await Server.StartRunAsync("extract");
        await Server.QueryAsync(db => db.Runs.Where(r => r.CorrelationId == runId)
            .ExecuteUpdateAsync(r => r.SetProperty(x => x.ParametersJson, "{corrupt")));

        var response = await Server.Http.GetAsync($"/api/runs/{runId}");

        var problem = await ProblemAsync(response, HttpStatusCode.InternalServerError);
        Assert.Null(problem.Detail);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", text, StringComparison.Ordinal);
        Assert.Contains(Server.Logs.Lines, l => l.Contains("JsonReaderException", StringComparison.Ordinal));
    }

    private static async Task<ProblemDetails> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = (await response.Content.ReadFromJsonAsync<ProblemDetails>())!;
        Assert.Equal((int)status, problem.Status);
        return problem;
    }
}
