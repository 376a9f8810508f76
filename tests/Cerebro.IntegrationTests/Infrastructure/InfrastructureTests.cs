using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;
using RabbitMQ.Client;
using Xunit.Abstractions;
using Cerebro.Tests.Shared.Net;

namespace Cerebro.IntegrationTests.Infrastructure;

/// <summary>The shared integration-test infrastructure works against the real services.</summary>
public sealed class InfrastructureTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task RabbitMqVirtualHost_Create_IsUsableAndDeletedOnDispose()
    {
        var vhost = await RabbitMqVirtualHost.CreateAsync();
        await using (vhost)
        {
            Assert.StartsWith("cerebro-test-", vhost.Name, StringComparison.Ordinal);
            Assert.EndsWith("/" + vhost.Name, vhost.AmqpUri.AbsoluteUri, StringComparison.Ordinal);

            await using var connection = await vhost.ConnectAsync();
            await using var channel = await connection.CreateChannelAsync();
            await channel.QueueDeclareAsync("probe", durable: false, exclusive: false, autoDelete: false);
            await channel.BasicPublishAsync("", "probe", Encoding.UTF8.GetBytes("hello"));
            var received = await Poll.UntilAsync(() => channel.BasicGetAsync("probe", autoAck: true), r => r is not null, Wait, "the message in queue 'probe'");
            Assert.Equal("hello", Encoding.UTF8.GetString(received!.Body.Span));
            Assert.NotNull(await vhost.Management.GetQueueAsync(vhost.Name, "probe"));
        }

        Assert.False(await RabbitMqManagement.Shared.VirtualHostExistsAsync(vhost.Name));
    }

    [Fact]
    public async Task RabbitMqManagement_CloseConnections_ClosesTheVirtualHostsConnections()
    {
        await using var vhost = await RabbitMqVirtualHost.CreateAsync();
        await using var connection = await vhost.ConnectAsync();
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.ConnectionShutdownAsync += (_, _) =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };

        // The management API lists a connection a moment after it opens.
        await Poll.UntilAsync(async () => await vhost.Management.CloseConnectionsAsync(vhost.Name) > 0, Wait, "a connection to close");

        await closed.Task.WaitAsync(Wait);
        Assert.False(connection.IsOpen);
    }

    [Fact]
    public async Task PostgresDatabase_Create_IsUsableAndDroppedOnDispose()
    {
        var database = await PostgresDatabase.CreateAsync();
        await using (database)
        {
            Assert.Equal(database.Name, new NpgsqlConnectionStringBuilder(database.ConnectionString).Database);
            Assert.True(await PostgresDatabase.ExistsAsync(database.Name));

            // Left open on purpose: disposal drops the database anyway.
            var open = await database.OpenConnectionAsync();
            await using var command = new NpgsqlCommand("CREATE TABLE probe (id int); INSERT INTO probe VALUES (42); SELECT id FROM probe", open);
            Assert.Equal(42, await command.ExecuteScalarAsync());
        }

        Assert.False(await PostgresDatabase.ExistsAsync(database.Name));
    }

    [Fact]
    public async Task ProcessHost_WaitForLine_SeesStdoutAndStderr_AndKillHardEndsTheProcessTree()
    {
        await using var process = ProcessHost.Start("sh", "/bin/sh", ["-c", "echo hello; echo oops >&2; sleep 30 & echo child $!; wait"], new ProcessHostOptions { Output = output });

        Assert.Equal("hello", await process.WaitForLineAsync("hello", Wait));
        await process.WaitForLineAsync(line => line == "oops", Wait, what: "stderr's line");
        var child = int.Parse((await process.WaitForLineAsync("child ", Wait))["child ".Length..], CultureInfo.InvariantCulture);
        Assert.False(process.HasExited);
        Assert.Contains("hello", process.Lines);
        Assert.Contains("oops", process.Lines);

        process.KillHard();

        Assert.Equal(128 + 9, await process.WaitForExitAsync(Wait));
        Assert.True(process.HasExited);
        Assert.Equal(137, process.ExitCode);
        await Poll.UntilAsync(() => Task.FromResult(IsGone(child)), Wait, $"the shell's child {child} to be killed too");
        var log = await File.ReadAllTextAsync(process.LogPath);
        Assert.Contains("out hello", log, StringComparison.Ordinal);
        Assert.Contains("err oops", log, StringComparison.Ordinal);
        Assert.Contains(nameof(ProcessHost_WaitForLine_SeesStdoutAndStderr_AndKillHardEndsTheProcessTree), process.LogPath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProcessHost_WaitForLine_FromLine_IgnoresEarlierLines()
    {
        await using var process = ProcessHost.Start("sh", "/bin/sh", ["-c", "echo tick 1; exec sleep 30"], new ProcessHostOptions { Output = output });
        await process.WaitForLineAsync("tick", Wait);

        var waiting = process.WaitForLineAsync("tick", TimeSpan.FromMilliseconds(300), fromLine: process.LineCount);

        await Assert.ThrowsAsync<TimeoutException>(() => waiting);
    }

    [Fact]
    public async Task ProcessHost_WaitForLine_ProcessExitsFirst_ThrowsWithTheLastLines()
    {
        await using var process = ProcessHost.Start("sh", "/bin/sh", ["-c", "echo one; echo two; exit 3"], new ProcessHostOptions { Output = output });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => process.WaitForLineAsync("never", Wait));

        Assert.Contains("exited with code 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("| two", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, process.ExitCode);
    }

    [Fact]
    public async Task ProcessHost_WaitForLine_Timeout_ThrowsWithTheLastLines()
    {
        await using var process = ProcessHost.Start("sh", "/bin/sh", ["-c", "echo waiting; exec sleep 30"], new ProcessHostOptions { Output = output });
        await process.WaitForLineAsync("waiting", Wait);

        var error = await Assert.ThrowsAsync<TimeoutException>(() => process.WaitForLineAsync("never", TimeSpan.FromMilliseconds(200)));

        Assert.Contains("| waiting", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProcessHost_Stop_SendsSigterm()
    {
        await using var process = ProcessHost.Start("sh", "/bin/sh", ["-c", "trap 'echo got TERM; exit 0' TERM; echo ready; while :; do sleep 0.05; done"], new ProcessHostOptions { Output = output });
        await process.WaitForLineAsync("ready", Wait);

        Assert.Equal(0, await process.StopAsync(Wait));
        Assert.Contains("got TERM", process.Lines);
    }

    [Fact]
    public async Task ProcessHost_Stop_SigtermIgnored_KillsAfterTheTimeout()
    {
        await using var process = ProcessHost.Start("sh", "/bin/sh", ["-c", "trap '' TERM; echo ready; while :; do sleep 0.05; done"], new ProcessHostOptions { Output = output });
        await process.WaitForLineAsync("ready", Wait);

        Assert.Equal(137, await process.StopAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task ProcessHost_StartPython_RunsDebiansInterpreterWithTheEnvironment()
    {
        var script = Path.Combine(Path.GetTempPath(), $"cerebro-probe-{Guid.NewGuid():N}.py");
        await File.WriteAllTextAsync(script, "import os, pika\nprint('pika', pika.__version__, os.environ['PROBE'])\n");
        try
        {
            await using var process = ProcessHost.StartPython("probe", script, new ProcessHostOptions { Output = output, Environment = { ["PROBE"] = "set" } });

            Assert.Equal(0, await process.WaitForExitAsync(Wait));
            Assert.Contains(process.Lines, line => line.StartsWith("pika ", StringComparison.Ordinal) && line.EndsWith(" set", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(script);
        }
    }

    [Fact]
    public async Task Poll_Until_NeverTrue_ThrowsNamingTheWaitAndTheLastValue()
    {
        var error = await Assert.ThrowsAsync<TimeoutException>(() =>
            Poll.UntilAsync(() => Task.FromResult("started"), state => state == "completed", TimeSpan.FromMilliseconds(200), "the run to complete"));

        Assert.Contains("the run to complete", error.Message, StringComparison.Ordinal);
        Assert.Contains("last seen: started", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FreePort_Next_IsBindableOnLoopback()
    {
        var port = FreePort.Next();

        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        Assert.InRange(port, 1024, 65535);
    }

    [Fact]
    public void RepositoryPaths_Root_HoldsTheSolution_AndConfigurationMatchesTheBuild()
    {
        Assert.True(File.Exists(Path.Combine(RepositoryPaths.Root, "Cerebro.sln")));
        Assert.Contains(RepositoryPaths.Configuration, new[] { "Debug", "Release" });
        Assert.Equal("net10.0", RepositoryPaths.TargetFramework);
        Assert.EndsWith(Path.Combine("src", "TaskServerA", "bin", RepositoryPaths.Configuration, "net10.0"), RepositoryPaths.OutputOf("TaskServerA"), StringComparison.Ordinal);
        Assert.True(File.Exists(RepositoryPaths.PythonAgent));
    }

    // Gone, or a zombie nobody has reaped yet (it no longer runs either way).
    private static bool IsGone(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return true;
        }
    }
}
