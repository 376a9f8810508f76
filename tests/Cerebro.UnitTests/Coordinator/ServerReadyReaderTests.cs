using System.Text;
using System.Text.Json;
using Cerebro.Contracts;
using Cerebro.Domain;
using Cerebro.Server.Agents;
using MassTransit.Serialization;

namespace Cerebro.UnitTests.Coordinator;

/// <summary>
/// The fast <c>server.ready</c> reader gives what the serializer gives: the same message for every body it takes, and
/// for every other body the serializer's own result or error, because it steps aside.
/// </summary>
public sealed class ServerReadyReaderTests
{
    private const string Instance = "0d6c4f4e-58f4-4b7e-9a0c-2f1b8f0c9a11";
    private const string SentAt = "2026-12-08T01:03:35.942906+00:00";

    public static TheoryData<string> PlainBodies => new()
    {
        // What the SDK sends: MassTransit's raw JSON, indented, every null written.
        JsonSerializer.Serialize(Sample(), SystemTextJsonMessageSerializer.Options),
        // The wire's own settings: nulls left out.
        JsonSerializer.Serialize(Sample(), WireJson.Options),
        // Defaults: no maxConcurrency, no tasks; no upstreams.
        $$$"""{"agent":"a","instance":"{{{Instance}}}","sentAt":"{{{SentAt}}}"}""",
        $$$"""{"agent":"a","instance":"{{{Instance}}}","sentAt":"{{{SentAt}}}","tasks":[{"name":"t","owner":"o"}]}""",
        $$$"""{"agent":"a","instance":"{{{Instance}}}","sentAt":"{{{SentAt}}}","tasks":[],"maxConcurrency":7,"version":null}""",
        // Escapes, in values and in a property name; owners that differ only after an escape.
        $$$"""{"agent":"a","instance":"{{{Instance}}}","sentAt":"{{{SentAt}}}","tasks":[{"n\u0061me":"t\u00e9","owner":"o\"1"},{"name":"u","owner":"o\u00221"},{"name":"v","owner":"o\"2","description":"line\nbreak"}]}""",
        // Timeouts and freshness, some null; numbers in exponent form.
        $$$"""{"agent":"a","instance":"{{{Instance}}}","sentAt":"{{{SentAt}}}","tasks":[{"name":"t","owner":"o","timeouts":{"ackSeconds":1e1,"startSeconds":null},"upstreams":[{"task":"u","freshWithinSeconds":-2.5},{"task":"v","freshWithinSeconds":null}],"cron":"* * * * *"}]}""",
    };

    public static TheoryData<string> OtherBodies => new()
    {
        // Valid for the serializer, but not the plain shape.
        $$$"""{"Agent":"a","instance":"{{{Instance}}}","sentAt":"{{{SentAt}}}"}""",
        $$$"""{"agent":"a","instance":"{{{Instance}}}","sentAt":"{{{SentAt}}}","extra":{"x":[1,2]}}""",
        $$$"""{"agent":"a","instance":"{{{Instance}}}","sentAt":"{{{SentAt}}}","maxConcurrency":"5"}""",
        $$$"""{"agent":"a","agent":"b","instance":"{{{Instance}}}","sentAt":"{{{SentAt}}}"}""",
        $$$"""{"agent":"a","instance":"{{{Instance}}}","sentAt":"{{{SentAt}}}","tasks":[{"name":"t","owner":"o","upstreams":[{"task":"u","freshWithinSeconds":"30"}]}]}""",
        $$$"""{"agent":"a","instance":"{{{Instance}}}","sentAt":"{{{SentAt}}}","tasks":[null,{"name":"t","owner":"o","upstreams":null}]}""",
        $$$"""{"agent":"a","instance":"{{{Instance}}}","sentAt":"{{{SentAt}}}","tasks":[{"name":"t","owner":null}]}""",
        $$$"""{"agent":null,"instance":"{{{Instance}}}","sentAt":"{{{SentAt}}}","tasks":null}""",
        $$$"""{"agent":"a","instance":"{{{Instance}}}","sentAt":"{{{SentAt}}}","tasks":[{"name":"t","owner":"o","timeouts":{"AckSeconds":3}}]}""",
        // Invalid: each must fail with the serializer's message.
        $$$"""{"instance":"{{{Instance}}}","sentAt":"{{{SentAt}}}"}""",
        $$$"""{"agent":"a","instance":"{{{Instance}}}","sentAt":"{{{SentAt}}}","tasks":[{"name":"t"}]}""",
        $$$"""{"agent":"a","instance":"{{{Instance}}}","sentAt":"{{{SentAt}}}","tasks":[{"owner":"o","upstreams":[{}]}]}""",
        $$$"""{"agent":"a","instance":"not-a-guid","sentAt":"{{{SentAt}}}"}""",
        $$$"""{"agent":"a","instance":"{{{Instance}}}","sentAt":"yesterday"}""",
        $$$"""{"agent":"a","instance":"{{{Instance}}}","sentAt":"{{{SentAt}}}","maxConcurrency":1.5}""",
        $$$"""{"agent":"a","instance":"{{{Instance}}}","sentAt":"{{{SentAt}}}","tasks":[{"name":1,"owner":"o"}]}""",
        $$$"""{"agent":"a","instance":"{{{Instance}}}","sentAt":"{{{SentAt}}}","tasks":{}}""",
        $$$"""{"agent":"a","instance":"{{{Instance}}}","sentAt":"{{{SentAt}}}"} x""",
        $$$"""{"agent":"a","instance":"{{{Instance}}}","sentAt":"{{{SentAt}}}",}""",
        $$$"""{"agent":"a","instance":"{{{Instance}}}","sentAt":"{{{SentAt}}}","tasks":[{"name":"t","owner":"o"}""",
        "null",
        "[]",
        "",
    };

    [Theory]
    [MemberData(nameof(PlainBodies))]
    public void PlainBody_IsReadFast_AsTheSerializerReadsIt(string json)
    {
        var body = Encoding.UTF8.GetBytes(json);

        Assert.True(ServerReadyReader.TryRead(body, out var fast));
        var expected = JsonSerializer.Deserialize<ServerReady>(body, WireJson.Options);
        Assert.Equal(Describe(expected!), Describe(fast));
    }

    [Theory]
    [MemberData(nameof(OtherBodies))]
    public void OtherBody_IsLeftToTheSerializer_WithItsResultOrError(string json)
    {
        var body = Encoding.UTF8.GetBytes(json);

        Assert.False(ServerReadyReader.TryRead(body, out _));
        var expected = Outcome(() => AgentMessageChecks.Read<ServerReady>(body, MessageTypes.ServerReady));
        var actual = Outcome(() => AgentMessageChecks.ReadServerReady(body));
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void SharedOwner_IsOneString_AndDifferentOwnersStayApart()
    {
        var body = Encoding.UTF8.GetBytes($$$"""
            {"agent":"a","instance":"{{{Instance}}}","sentAt":"{{{SentAt}}}","tasks":[
              {"name":"t1","owner":"team"},{"name":"t2","owner":"team"},{"name":"t3","owner":"other"},{"name":"t4","owner":"team"}]}
            """);

        Assert.True(ServerReadyReader.TryRead(body, out var ready));
        Assert.Same(ready.Tasks[0].Owner, ready.Tasks[1].Owner);
        Assert.Equal(["team", "team", "other", "team"], ready.Tasks.Select(t => t.Owner));
    }

    private static ServerReady Sample() => new()
    {
        Agent = "agent-a",
        Instance = Guid.Parse(Instance),
        Version = "1.2.3",
        MaxConcurrency = 16,
        SentAt = DateTimeOffset.Parse(SentAt, System.Globalization.CultureInfo.InvariantCulture),
        Tasks =
        [
            new TaskDeclaration { Name = "extract", Owner = "data-team", Description = "pulls \"everything\"" },
            new TaskDeclaration
            {
                Name = "load",
                Owner = "data-team",
                Upstreams = [new UpstreamDeclaration { Task = "extract" }, new UpstreamDeclaration { Task = "dim", FreshWithinSeconds = 3600 }],
                Cron = "0 * * * *",
                Timeouts = new TaskTimeouts { AckSeconds = 5, CompleteSeconds = 120.5 },
            },
            new TaskDeclaration { Name = "report", Owner = "bi", Upstreams = [new UpstreamDeclaration { Task = "load" }] },
        ],
    };

    /// <summary>Every value of the message, nulls included, so two messages compare by what they hold.</summary>
    private static string Describe(ServerReady ready) => JsonSerializer.Serialize(ready, SystemTextJsonMessageSerializer.Options);

    private static string Outcome(Func<ServerReady> read)
    {
        try
        {
            return "read: " + Describe(read());
        }
        catch (ProtocolViolationException ex)
        {
            return "refused: " + ex.Message;
        }
    }
}
