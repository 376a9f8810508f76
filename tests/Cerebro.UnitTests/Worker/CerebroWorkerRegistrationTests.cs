using Cerebro.Worker;
using Cerebro.Worker.Internal;
using Microsoft.Extensions.DependencyInjection;

namespace Cerebro.UnitTests.Worker;

public sealed class CerebroWorkerRegistrationTests
{
    private static readonly Func<TaskContext, CancellationToken, Task<object?>> Nothing = (_, _) => Task.FromResult<object?>(null);

    [Fact]
    public void AddTask_DuplicateName_ThrowsDuplicateTaskException()
    {
        var (_, worker) = WorkerServices.Create();
        worker.AddTask("extract-orders", t => t.Owner("team-a"), Nothing);

        var ex = Assert.Throws<DuplicateTaskException>(() => worker.AddTask("extract-orders", t => t.Owner("team-b"), Nothing));

        Assert.Equal("extract-orders", ex.Task);
        Assert.IsAssignableFrom<CerebroException>(ex);
        Assert.Contains("extract-orders", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddTasks_NameAlreadyRegisteredByDelegate_ThrowsDuplicateTaskException()
    {
        var (_, worker) = WorkerServices.Create();
        worker.AddTask("build-sales", t => t.Owner("team-b"), Nothing);

        Assert.Throws<DuplicateTaskException>(() => worker.AddTasks<AttributedTasks>());
    }

    [Theory]
    [InlineData("Extract-Orders")]
    [InlineData("-leading-dash")]
    [InlineData("has space")]
    [InlineData("")]
    public void AddTask_InvalidName_ThrowsTaskDefinitionException(string name)
    {
        var (_, worker) = WorkerServices.Create();

        var ex = Assert.Throws<TaskDefinitionException>(() => worker.AddTask(name, t => t.Owner("team-a"), Nothing));

        Assert.Contains("^[a-z0-9][a-z0-9._-]{0,127}$", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddTask_WithoutOwner_ThrowsTaskDefinitionException()
    {
        var (_, worker) = WorkerServices.Create();

        var ex = Assert.Throws<TaskDefinitionException>(() => worker.AddTask("extract-orders", _ => { }, Nothing));

        Assert.Contains("owner", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("self")]
    [InlineData("twice")]
    [InlineData("cron")]
    [InlineData("timeout")]
    public void AddTask_InvalidDeclaration_ThrowsTaskDefinitionException(string problem)
    {
        var (_, worker) = WorkerServices.Create();
        Action<CerebroTaskBuilder> configure = problem switch
        {
            "self" => t => t.Owner("team-a").DependsOn("task-x"),
            "twice" => t => t.Owner("team-a").DependsOn("a").DependsOnFresh("a", TimeSpan.FromMinutes(1)),
            "cron" => t => t.Owner("team-a").Cron("* * *"),
            _ => t => t.Owner("team-a").Timeouts(complete: TimeSpan.Zero),
        };

        Assert.Throws<TaskDefinitionException>(() => worker.AddTask("task-x", configure, Nothing));
    }

    [Fact]
    public void AddTasks_RegistersAttributedMethods_WithTheirDeclarations()
    {
        var (_, worker) = WorkerServices.Create();

        worker.AddTasks<AttributedTasks>();

        var tasks = CerebroWorkerBuilder.RegistrationOf(worker).Tasks;
        Assert.Equal(["build-sales", "refreshcatalog", "count", "ping"], tasks.All.Select(t => t.Name));
        var sales = tasks.Find("build-sales")!.ToDeclaration(null);
        Assert.Equal("team-b", sales.Owner);
        Assert.Equal("Builds sales.", sales.Description);
        Assert.Equal(["extract-orders", "extract-customers"], sales.Upstreams.Select(u => u.Task));
        Assert.All(sales.Upstreams, u => Assert.Null(u.FreshWithinSeconds));
        Assert.Equal(600, sales.Timeouts!.CompleteSeconds);
        Assert.Null(sales.Timeouts.AckSeconds);

        var catalog = tasks.Find("refreshcatalog")!.ToDeclaration(new TaskTimeoutOptions { AckSeconds = 3 });
        Assert.Equal(3600, Assert.Single(catalog.Upstreams).FreshWithinSeconds);
        Assert.Equal("*/5 * * * *", catalog.Cron);
        Assert.Equal(3, catalog.Timeouts!.AckSeconds);
    }

    [Fact]
    public void AddTasks_TypeWithoutTaskMethods_ThrowsTaskDefinitionException()
    {
        var (_, worker) = WorkerServices.Create();

        var ex = Assert.Throws<TaskDefinitionException>(() => worker.AddTasks<CerebroWorkerRegistrationTests>());

        Assert.Contains("[CerebroTask]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AttributedHandlers_GetContextTokenAndServices_AndReturnTheirResults()
    {
        var (services, worker) = WorkerServices.Create();
        services.AddSingleton(new Greeting("hej"));
        worker.AddTasks<AttributedTasks>();
        await using var provider = services.BuildServiceProvider();
        var tasks = CerebroWorkerBuilder.RegistrationOf(worker).Tasks;
        var context = new TaskContext
        {
            TaskRunId = Guid.NewGuid(),
            RunId = Guid.NewGuid(),
            Task = "build-sales",
            Attempt = 1,
            Agent = "task-server-b",
            Services = provider,
        };

        Assert.Equal($"hej {context.TaskRunId}", await tasks.Find("build-sales")!.Handler!(context, CancellationToken.None));
        Assert.Null(await tasks.Find("refreshcatalog")!.Handler!(context, CancellationToken.None));
        Assert.Equal(42, await tasks.Find("count")!.Handler!(context, CancellationToken.None));
        Assert.Equal("pong", await tasks.Find("ping")!.Handler!(context, CancellationToken.None));
    }

    [Fact]
    public async Task AttributedHandler_Exception_IsThrownUnwrapped()
    {
        var (services, worker) = WorkerServices.Create();
        worker.AddTasks<FailingTasks>();
        await using var provider = services.BuildServiceProvider();
        var handler = CerebroWorkerBuilder.RegistrationOf(worker).Tasks.Find("explode")!.Handler!;
        var context = new TaskContext { TaskRunId = Guid.NewGuid(), RunId = Guid.NewGuid(), Task = "explode", Attempt = 1, Agent = "a", Services = provider };

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => handler(context, CancellationToken.None));

        Assert.Equal("kaboom", ex.Message);
    }

    [Fact]
    public void AttributeDefaultName_IsTheMethodNameWithoutAsync_LowerCased()
    {
        Assert.Equal("refreshcatalog", AttributeTasks.DefaultName(typeof(AttributedTasks).GetMethod(nameof(AttributedTasks.RefreshCatalogAsync))!));
        Assert.Equal("count", AttributeTasks.DefaultName(typeof(AttributedTasks).GetMethod(nameof(AttributedTasks.Count))!));
    }

    [Fact]
    public void AddCerebroWorker_Twice_GivesEachWorkerItsOwnOptionsAndTasks()
    {
        var (services, first) = WorkerServices.Create();
        var second = services.AddCerebroWorker(o => o.Agent = "second");
        first.AddTask("same-name", t => t.Owner("team-a"), Nothing);

        second.AddTask("same-name", t => t.Owner("team-a"), Nothing);

        Assert.Equal(string.Empty, first.Name);
        Assert.Equal("cerebro-worker-2", second.Name);
        Assert.Equal(2, services.Count(d => d.ServiceType == typeof(ICerebroWorkerStatus)));
    }

    internal sealed record Greeting(string Text);

    internal sealed class AttributedTasks
    {
        [CerebroTask("build-sales", Owner = "team-b", Description = "Builds sales.", CompleteTimeoutSeconds = 600)]
        [DependsOn("extract-orders")]
        [DependsOn("extract-customers")]
        public async Task<string> BuildSalesAsync(TaskContext context, Greeting greeting, CancellationToken cancellationToken)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            return $"{greeting.Text} {context.TaskRunId}";
        }

        [CerebroTask(Owner = "team-b", Cron = "*/5 * * * *")]
        [DependsOnFresh("extract-products", 3600)]
        public async Task RefreshCatalogAsync() => await Task.Yield();

        [CerebroTask(Owner = "team-b")]
        public static ValueTask<int> Count() => ValueTask.FromResult(42);

        [CerebroTask(Owner = "team-b")]
        public string Ping() => "pong";
    }

    internal sealed class FailingTasks
    {
        [CerebroTask("explode", Owner = "team-b")]
        public void Explode() => throw new InvalidOperationException("kaboom");
    }
}
