using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cerebro.Contracts;
using MassTransit.Serialization;

namespace Cerebro.UnitTests.Protocol;

/// <summary>
/// Keeps Cerebro.Contracts and protocol/ (the language-neutral specification) in step: what Cerebro puts on the wire
/// must meet the schemas, and what the schemas' examples show must read back into the contracts.
/// </summary>
public sealed class ContractSchemaTests
{
    private static readonly Guid ExampleRunId = Guid.Parse("c1f3e5a7-2b4d-4c6e-8f0a-1b3d5f7a9c2e");
    private static readonly Guid ExampleTaskRunId = Guid.Parse("5b0e8a52-3d1c-4f7a-8e2b-9c6d4a1f0e37");
    private static readonly Guid ExampleInstance = Guid.Parse("7d4c2b1a-5e6f-4a3b-9c8d-0e1f2a3b4c5d");

    /// <summary>The options MassTransit's System.Text.Json serializers, raw JSON included, use on the wire.</summary>
    private static JsonSerializerOptions WireOptions => SystemTextJsonMessageSerializer.Options;

    public static TheoryData<string> MessageTypeData => new(MessageContracts.AllMessageTypes);

    public static TheoryData<string, string> SampleData
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var messageType in MessageContracts.AllMessageTypes)
            {
                data.Add(messageType, ContractSamples.Full);
                data.Add(messageType, ContractSamples.Minimal);
            }

            return data;
        }
    }

    public static TheoryData<string> CommonDefinitionData => new(MessageContracts.CommonDefinitions.Keys);

    [Fact]
    public void WireSerializerOptions_AreCamelCase()
    {
        Assert.Same(JsonNamingPolicy.CamelCase, WireOptions.PropertyNamingPolicy);
        Assert.Null(WireOptions.DictionaryKeyPolicy); // parameter names pass through unchanged, as the README says
    }

    [Fact]
    public void EveryMessageType_HasContractSchemaAndExample()
    {
        Assert.Equal(MessageContracts.AllMessageTypes, MessageContracts.ByType.Keys.Order(StringComparer.Ordinal));
        foreach (var messageType in MessageContracts.AllMessageTypes)
        {
            Assert.True(File.Exists(ProtocolFiles.SchemaPath(messageType)), $"no schema for {messageType}");
            Assert.True(File.Exists(ProtocolFiles.ExamplePath(messageType)), $"no example for {messageType}");
        }

        var schemaTypes = Directory.GetFiles(Path.Combine(ProtocolFiles.ProtocolDirectory, "schemas"), "*.schema.json")
            .Select(path => Path.GetFileName(path)[..^".schema.json".Length])
            .Where(name => name != "common")
            .Order(StringComparer.Ordinal);
        Assert.Equal(MessageContracts.AllMessageTypes, schemaTypes);
    }

    [Theory]
    [MemberData(nameof(SampleData))]
    public async Task SerializedContract_MatchesItsSchema(string messageType, string variant)
    {
        var message = ContractSamples.Create(messageType, variant);
        Assert.IsType(MessageContracts.ByType[messageType], message);

        var json = JsonSerializer.Serialize(message, message.GetType(), WireOptions);
        var result = await ProtocolFiles.RunValidatorAsync(json, messageType, "-");

        Assert.True(result.ExitCode == 0, $"{messageType} ({variant}) does not meet its schema:\n{json}\n{result}");
    }

    [Theory]
    [MemberData(nameof(MessageTypeData))]
    public async Task Example_DeserializesIntoItsContract(string messageType)
    {
        var json = await File.ReadAllTextAsync(ProtocolFiles.ExamplePath(messageType));
        var message = JsonSerializer.Deserialize(json, MessageContracts.ByType[messageType], WireOptions);

        switch (message)
        {
            case ServerReady ready:
                Assert.Equal("task-server-py", ready.Agent);
                Assert.Equal(ExampleInstance, ready.Instance);
                Assert.Equal(2, ready.MaxConcurrency);
                Assert.Equal(["score-customers", "export-scores"], ready.Tasks.Select(task => task.Name));
                Assert.All(ready.Tasks, task => Assert.Equal("team-py", task.Owner));
                Assert.Equal("extract-customers", Assert.Single(ready.Tasks[0].Upstreams).Task);
                Assert.Null(ready.Tasks[0].Upstreams[0].FreshWithinSeconds);
                Assert.Equal(600, ready.Tasks[1].Timeouts?.CompleteSeconds);
                Assert.Null(ready.Tasks[1].Timeouts?.StartSeconds);
                break;
            case ServerHeartbeat heartbeat:
                Assert.Equal(ExampleInstance, heartbeat.Instance);
                Assert.Equal((2, 1), (heartbeat.Running, heartbeat.Queued));
                break;
            case ServerStopping stopping:
                Assert.Equal(ExampleInstance, stopping.Instance);
                Assert.Equal("SIGTERM", stopping.Reason);
                break;
            case InvokeTask invoke:
                Assert.Equal((ExampleTaskRunId, ExampleRunId, 1), (invoke.TaskRunId, invoke.RunId, invoke.Attempt));
                Assert.Equal("score-customers", invoke.Task);
                Assert.Equal(250, invoke.Parameters["durationMs"].GetInt32());
                Assert.Equal(new DateTimeOffset(2026, 11, 22, 9, 20, 0, TimeSpan.Zero), invoke.InvokedAt);
                Assert.Equal(10, invoke.AckTimeoutSeconds);
                break;
            case TaskRunEvent taskRunEvent:
                AssertExampleTaskRun(taskRunEvent);
                if (taskRunEvent is TaskCompleted completed)
                {
                    Assert.Equal(1250, completed.Result?.GetProperty("customersScored").GetInt32());
                }

                if (taskRunEvent is TaskFailed failed)
                {
                    Assert.Contains("'fail'", failed.Error, StringComparison.Ordinal);
                    Assert.Equal("RequestedFailure", failed.ErrorType);
                }

                break;
            case RunRequested request:
                Assert.Equal("export-scores", request.Task);
                Assert.Equal(ExampleRunId, request.RunId);
                Assert.Equal(500, request.Parameters?["durationMs"].GetInt32());
                break;
            case DeclarationAccepted accepted:
                Assert.Equal(ExampleInstance, accepted.Instance);
                Assert.Equal(["score-customers", "export-scores"], accepted.Accepted);
                Assert.Empty(accepted.Unresolved);
                break;
            case DeclarationRejected rejected:
                Assert.Equal(ExampleInstance, rejected.Instance);
                Assert.Equal("extract-customers", Assert.Single(rejected.Refused).Task);
                Assert.Equal(["score-customers", "export-scores"], rejected.Accepted);
                break;
            case TaskRunErrored errored:
                Assert.Equal((ExampleTaskRunId, ExampleRunId), (errored.TaskRunId, errored.RunId));
                Assert.Equal(("team-py", "agent"), (errored.Owner, errored.Source));
                Assert.Equal(["export-scores"], errored.Blocks);
                break;
            default:
                Assert.Fail($"no checks for {messageType} ({message?.GetType().Name ?? "null"})");
                break;
        }
    }

    [Theory]
    [MemberData(nameof(MessageTypeData))]
    public void Schema_RequiresExactlyTheContractsRequiredMembers(string messageType)
    {
        var schema = ReadSchema(messageType);
        var common = ReadSchema("common");
        if (schema["$ref"]?.GetValue<string>() is { } reference)
        {
            schema = Merge(schema, common["$defs"]![reference.Split('/')[^1]]!.AsObject());
        }

        AssertSchemaMatchesContract(schema, MessageContracts.ByType[messageType]);
    }

    [Theory]
    [MemberData(nameof(CommonDefinitionData))]
    public void CommonDefinition_RequiresExactlyTheContractsRequiredMembers(string definition)
    {
        var schema = ReadSchema("common")["$defs"]![definition]!.AsObject();

        AssertSchemaMatchesContract(schema, MessageContracts.CommonDefinitions[definition]);
    }

    [Fact]
    public async Task Examples_AllMeetTheirSchemas()
    {
        var result = await ProtocolFiles.RunValidatorAsync(stdin: null, "--examples");

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task DocumentMissingRequiredField_IsRejected()
    {
        var document = JsonNode.Parse(await File.ReadAllTextAsync(ProtocolFiles.ExamplePath(MessageTypes.TaskStarted)))!.AsObject();
        document.Remove("taskRunId");

        var result = await ProtocolFiles.RunValidatorAsync(document.ToJsonString(), MessageTypes.TaskStarted, "-");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("'taskRunId' is a required property", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownMessageType_IsAUsageError()
    {
        var result = await ProtocolFiles.RunValidatorAsync("{}", "task.exploded", "-");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("unknown message type", result.Error, StringComparison.Ordinal);
    }

    private static void AssertExampleTaskRun(TaskRunEvent taskRunEvent)
    {
        Assert.Equal((ExampleTaskRunId, ExampleRunId, 1), (taskRunEvent.TaskRunId, taskRunEvent.RunId, taskRunEvent.Attempt));
        Assert.Equal(("score-customers", "task-server-py"), (taskRunEvent.Task, taskRunEvent.Agent));
        Assert.Equal(TimeSpan.Zero, taskRunEvent.At.Offset);
    }

    private static void AssertSchemaMatchesContract(JsonObject schema, Type contract)
    {
        var properties = contract.GetProperties(BindingFlags.Public | BindingFlags.Instance);
        var contractRequired = properties
            .Where(property => property.IsDefined(typeof(RequiredMemberAttribute), inherit: true))
            .Select(property => JsonNamingPolicy.CamelCase.ConvertName(property.Name))
            .Order(StringComparer.Ordinal);
        var schemaRequired = (schema["required"]?.AsArray() ?? [])
            .Select(name => name!.GetValue<string>())
            .Order(StringComparer.Ordinal);
        Assert.Equal(contractRequired, schemaRequired);

        var schemaProperties = schema["properties"]?.AsObject().Select(property => property.Key).ToHashSet() ?? [];
        var undocumented = properties
            .Select(property => JsonNamingPolicy.CamelCase.ConvertName(property.Name))
            .Where(name => !schemaProperties.Contains(name));
        Assert.Empty(undocumented);
        Assert.True(schema["additionalProperties"]?.GetValue<bool>(), $"{contract.Name}: additionalProperties must be true");
    }

    private static JsonObject ReadSchema(string name)
    {
        var path = name == "common"
            ? Path.Combine(ProtocolFiles.ProtocolDirectory, "schemas", "common.schema.json")
            : ProtocolFiles.SchemaPath(name);
        return JsonNode.Parse(File.ReadAllText(path))!.AsObject();
    }

    /// <summary>A message schema with the properties and required names of the definition it <c>$ref</c>s.</summary>
    private static JsonObject Merge(JsonObject schema, JsonObject definition)
    {
        var merged = schema.DeepClone().AsObject();
        if (merged["properties"] is not JsonObject properties)
        {
            properties = [];
            merged["properties"] = properties;
        }

        foreach (var (name, value) in definition["properties"]!.AsObject())
        {
            properties[name] ??= value!.DeepClone();
        }

        var required = (merged["required"]?.AsArray() ?? [])
            .Select(name => name!.GetValue<string>())
            .Union(definition["required"]!.AsArray().Select(name => name!.GetValue<string>()));
        merged["required"] = new JsonArray([.. required.Select(name => JsonValue.Create(name))]);
        return merged;
    }
}
