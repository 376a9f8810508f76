using Cerebro.Server.Runs;
using Cerebro.Server.Telemetry;
using Cerebro.Tests.Shared.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace Cerebro.UnitTests.Telemetry;

/// <summary>Export only when an OTLP endpoint is configured, and then spans, metrics and logs really leave the process.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class OtlpExportTests
{
    [Theory]
    [InlineData(null, null, null, false, false, false)]
    [InlineData("http://collector:4318", null, null, true, true, true)]
    [InlineData(null, "http://collector:4318/v1/traces", null, true, false, false)]
    [InlineData("http://collector:4318", null, "true", false, false, false)]
    [InlineData("  ", null, null, false, false, false)]
    public void OtlpExportSettings_From_EndpointVariables(string? endpoint, string? tracesEndpoint, string? disabled, bool traces, bool metrics, bool logs)
    {
        var variables = new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint,
            ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = tracesEndpoint,
            ["OTEL_SDK_DISABLED"] = disabled,
        };
        Assert.Equal(new OtlpExportSettings(traces, metrics, logs), OtlpExportSettings.From(key => variables.GetValueOrDefault(key)));
    }

    [Fact]
    public async Task NoEndpoint_NoSdkIsCreated()
    {
        var path = InProcessCerebro.NewSqlitePath();
        try
        {
            await using var cerebro = await InProcessCerebro.StartAsync(path);
            Assert.Null(cerebro.Services.GetService<CerebroOpenTelemetry>());
        }
        finally
        {
            InProcessCerebro.DeleteDatabase(path);
        }
    }

    [Fact]
    public async Task EndpointConfigured_SpansMetricsAndLogsReachTheReceiver_UnderTheServiceName()
    {
        await using var receiver = new OtlpReceiver();
        var path = InProcessCerebro.NewSqlitePath();
        Guid runId;
        try
        {
            await using (var cerebro = await InProcessCerebro.StartAsync(path, new Dictionary<string, string?>
                         {
                             ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint,
                             ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                             ["OTEL_SERVICE_NAME"] = "cerebro-under-test",
                         }))
            {
                Assert.NotNull(cerebro.Services.GetService<CerebroOpenTelemetry>());
                await cerebro.AttachDemoAgentsAsync();
                runId = await cerebro.LaunchAsync("build-catalog", new { durationMs = 10 });
                var run = await cerebro.WaitForRunEndAsync(runId);
                Assert.Equal(RunStates.Succeeded, run.CurrentState);
            }

            // Stopping the host flushed the exporters.
        }
        finally
        {
            InProcessCerebro.DeleteDatabase(path);
        }

        var traces = receiver.Requests.First(r => r.Path == "/v1/traces" && r.Mentions(runId.ToString()));
        Assert.Equal("POST", traces.Method);
        Assert.Equal("application/x-protobuf", traces.ContentType);
        Assert.True(traces.Mentions("cerebro-under-test"));
        Assert.Contains(receiver.Requests, r => r.Path == "/v1/metrics" && r.Mentions("cerebro.runs.started") && r.Mentions("cerebro-under-test"));
        Assert.Contains(receiver.Requests, r => r.Path == "/v1/logs" && r.Mentions("cerebro-under-test"));

        var spans = receiver.Spans.Where(s => s.ServiceName == "cerebro-under-test").ToList();
        var root = Assert.Single(spans, s => s.Name == "run build-catalog" && s.Attributes.GetValueOrDefault(TelemetryTags.RunId) == runId.ToString());
        Assert.Equal("", root.ParentSpanId);
        Assert.Equal(OtlpSpan.StatusOk, root.StatusCode);
        // Spans emitted at their end under ids decided at their start keep those ids through the exporter.
        var taskRun = Assert.Single(spans, s => s.Name == "task-run build-catalog: completed" && s.TraceId == root.TraceId);
        Assert.Equal(root.SpanId, taskRun.ParentSpanId);
        var invoke = Assert.Single(spans, s => s.Name == "invoke build-catalog" && s.TraceId == root.TraceId);
        Assert.Equal(taskRun.SpanId, invoke.ParentSpanId);
        var execute = Assert.Single(spans, s => s.Name == "execute build-catalog" && s.TraceId == root.TraceId);
        Assert.Equal(taskRun.SpanId, execute.ParentSpanId);
        Assert.Equal("Cerebro.Worker", execute.Scope);

        // The sampler drops the traces of messages outside any run (heartbeats, declarations): every MassTransit span is in a run's trace.
        var runTraces = spans.Where(s => s.Name.StartsWith("run ", StringComparison.Ordinal) && s.ParentSpanId == "").Select(s => s.TraceId).ToHashSet();
        Assert.All(spans.Where(s => s.Scope == "MassTransit"), s => Assert.Contains(s.TraceId, runTraces));
    }
}
