using System.Reflection;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.DependencyInjection;

namespace Cerebro.Worker.Internal;

/// <summary>Turns the <see cref="CerebroTaskAttribute"/> methods of a class into task definitions.</summary>
internal static class AttributeTasks
{
    private const BindingFlags Methods =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;

    public static IReadOnlyList<TaskDefinition> From(Type type)
    {
        var definitions = new List<TaskDefinition>();
        foreach (var method in type.GetMethods(Methods).OrderBy(m => m.MetadataToken))
        {
            var attribute = method.GetCustomAttribute<CerebroTaskAttribute>();
            if (attribute is null)
                continue;
            definitions.Add(Define(type, method, attribute));
        }

        if (definitions.Count == 0)
            throw new TaskDefinitionException($"{type.FullName} has no method marked [CerebroTask]");
        return definitions;
    }

    /// <summary>The name of a task whose attribute gives none: the method name without "Async", lower-cased.</summary>
    public static string DefaultName(MethodInfo method)
    {
        var name = method.Name;
        if (name.Length > "Async".Length && name.EndsWith("Async", StringComparison.Ordinal))
            name = name[..^"Async".Length];
        return name.ToLowerInvariant();
    }

    private static TaskDefinition Define(Type type, MethodInfo method, CerebroTaskAttribute attribute)
    {
        var definition = new TaskDefinition(attribute.Name ?? DefaultName(method))
        {
            Owner = attribute.Owner,
            Description = attribute.Description,
            Cron = attribute.Cron,
            AckSeconds = Positive(attribute.AckTimeoutSeconds),
            StartSeconds = Positive(attribute.StartTimeoutSeconds),
            CompleteSeconds = Positive(attribute.CompleteTimeoutSeconds),
        };
        foreach (var upstream in method.GetCustomAttributes<DependsOnAttribute>())
            definition.AddUpstream(upstream.Task, null);
        foreach (var upstream in method.GetCustomAttributes<DependsOnFreshAttribute>())
            definition.AddUpstream(upstream.Task, upstream.Seconds);

        if (method.IsGenericMethodDefinition)
            throw new TaskDefinitionException($"task '{definition.Name}': {type.Name}.{method.Name} must not be generic");
        definition.Handler = Invoker(type, method, ResultReader(definition.Name, method));
        return definition;
    }

    private static double? Positive(double seconds) => seconds != 0 ? seconds : null;

    private static TaskHandler Invoker(Type type, MethodInfo method, Func<object?, Task<object?>> readResult)
    {
        var parameters = method.GetParameters();
        return async (context, cancellationToken) =>
        {
            // A class registered in the container is the container's to dispose; one made here is ours.
            var registered = method.IsStatic ? null : context.Services.GetService(type);
            var created = method.IsStatic || registered is not null ? null : ActivatorUtilities.CreateInstance(context.Services, type);
            var target = registered ?? created;
            var arguments = new object?[parameters.Length];
            for (var i = 0; i < parameters.Length; i++)
            {
                var parameterType = parameters[i].ParameterType;
                arguments[i] = parameterType == typeof(TaskContext) ? context
                    : parameterType == typeof(CancellationToken) ? cancellationToken
                    : context.Services.GetService(parameterType) ?? throw new CerebroException(
                        $"task '{context.Task}': no service of type {parameterType.FullName} for parameter '{parameters[i].Name}' of {type.Name}.{method.Name}");
            }

            try
            {
                object? returned;
                try
                {
                    returned = method.Invoke(target, arguments);
                }
                catch (TargetInvocationException ex) when (ex.InnerException is not null)
                {
                    ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
                    throw;
                }

                return await readResult(returned).ConfigureAwait(false);
            }
            finally
            {
                if (created is IAsyncDisposable asyncDisposable)
                    await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                else if (created is IDisposable disposable)
                    disposable.Dispose();
            }
        };
    }

    /// <summary>Chosen from the declared return type: an async method returning Task is a Task&lt;VoidTaskResult&gt; at run time.</summary>
    private static Func<object?, Task<object?>> ResultReader(string task, MethodInfo method)
    {
        var returnType = method.ReturnType;
        if (returnType == typeof(void))
            return _ => Task.FromResult<object?>(null);
        if (returnType == typeof(Task))
            return async returned => { await ((Task)returned!).ConfigureAwait(false); return null; };
        if (returnType == typeof(ValueTask))
            return async returned => { await ((ValueTask)returned!).ConfigureAwait(false); return null; };
        if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>))
        {
            var result = returnType.GetProperty(nameof(Task<object>.Result))!;
            return async returned =>
            {
                var task = (Task)returned!;
                await task.ConfigureAwait(false);
                return result.GetValue(task);
            };
        }

        if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(ValueTask<>))
        {
            var asTask = returnType.GetMethod(nameof(ValueTask<object>.AsTask))!;
            var result = asTask.ReturnType.GetProperty(nameof(Task<object>.Result))!;
            return async returned =>
            {
                var task = (Task)asTask.Invoke(returned, null)!;
                await task.ConfigureAwait(false);
                return result.GetValue(task);
            };
        }

        if (typeof(Task).IsAssignableFrom(returnType) || returnType == typeof(IAsyncResult))
            throw new TaskDefinitionException($"task '{task}': return type {returnType.Name} is not supported");
        return returned => Task.FromResult(returned);
    }
}
