using Microsoft.Extensions.Options;

namespace Cerebro.Worker.Internal;

/// <summary>Checks a worker's options when the host starts, with one message per problem.</summary>
internal sealed class CerebroWorkerOptionsValidator : IValidateOptions<CerebroWorkerOptions>
{
    public ValidateOptionsResult Validate(string? name, CerebroWorkerOptions options)
    {
        var failures = new List<string>();
        if (!Names.IsValidAgent(options.Agent))
            failures.Add(string.IsNullOrEmpty(options.Agent)
                ? "Cerebro:Worker:Agent is required (the agent name, ^[a-z0-9][a-z0-9-]{0,62}$)"
                : $"Cerebro:Worker:Agent '{options.Agent}' is invalid: it must match ^[a-z0-9][a-z0-9-]{{0,62}}$ (lower case, digits, '-', no dots)");
        if (options.MaxConcurrency < 1)
            failures.Add($"Cerebro:Worker:MaxConcurrency must be at least 1 (it is {options.MaxConcurrency})");
        if (options.MaxQueued < 0)
            failures.Add($"Cerebro:Worker:MaxQueued must be 0 or more (it is {options.MaxQueued})");
        if (options.HeartbeatInterval <= TimeSpan.Zero)
            failures.Add("Cerebro:Worker:HeartbeatInterval must be more than 0");
        if (options.DeclarationRetryInterval <= TimeSpan.Zero)
            failures.Add("Cerebro:Worker:DeclarationRetryInterval must be more than 0");
        if (options.DrainTimeout < TimeSpan.Zero)
            failures.Add("Cerebro:Worker:DrainTimeout must not be negative");

        switch (options.Transport)
        {
            case CerebroTransport.None:
                failures.Add("no transport configured: call UseRabbitMq() or UseHostBus() on the worker builder (or set Cerebro:Worker:Transport)");
                break;
            case CerebroTransport.RabbitMq when string.IsNullOrWhiteSpace(options.RabbitMqUri):
                failures.Add("RabbitMQ transport without a broker: pass a URI to UseRabbitMq, or set Cerebro:Worker:RabbitMqUri or ConnectionStrings:RabbitMq");
                break;
            case CerebroTransport.RabbitMq when !IsAmqpUri(options.RabbitMqUri!):
                failures.Add("the RabbitMQ URI must be an absolute amqp:// or amqps:// URI, such as amqp://guest:guest@127.0.0.1:5672/");
                break;
            case CerebroTransport.RabbitMq or CerebroTransport.HostBus:
                break;
            default:
                failures.Add($"unknown transport {options.Transport}");
                break;
        }

        foreach (var (task, timeouts) in options.Timeouts)
        {
            foreach (var (which, value) in new[] { ("Ack", timeouts.AckSeconds), ("Start", timeouts.StartSeconds), ("Complete", timeouts.CompleteSeconds) })
            {
                if (value is <= 0)
                    failures.Add($"Cerebro:Worker:Timeouts:{task}:{which}Seconds must be more than 0");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsAmqpUri(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "amqp" or "amqps" or "rabbitmq" or "rabbitmqs";
}
