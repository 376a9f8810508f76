using Cerebro.Contracts;

namespace Cerebro.UnitTests.Coordinator;

/// <summary>Task declarations as an agent sends them in server.ready.</summary>
public static class TestTasks
{
    public const string Owner = "team-test";

    public static TaskDeclaration Task(string name, params string[] upstreams) =>
        new() { Name = name, Owner = Owner, Upstreams = upstreams.Select(u => new UpstreamDeclaration { Task = u }).ToList() };

    public static TaskDeclaration Task(string name, TaskTimeouts timeouts, params string[] upstreams) =>
        new() { Name = name, Owner = Owner, Timeouts = timeouts, Upstreams = upstreams.Select(u => new UpstreamDeclaration { Task = u }).ToList() };

    public static TaskDeclaration FreshTask(string name, string upstream, TimeSpan freshWithin) =>
        new() { Name = name, Owner = Owner, Upstreams = [new UpstreamDeclaration { Task = upstream, FreshWithinSeconds = freshWithin.TotalSeconds }] };
}
