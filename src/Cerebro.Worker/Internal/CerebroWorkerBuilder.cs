using Microsoft.Extensions.DependencyInjection;

namespace Cerebro.Worker.Internal;

internal sealed class CerebroWorkerBuilder : ICerebroWorkerBuilder
{
    public CerebroWorkerBuilder(IServiceCollection services, WorkerRegistration registration)
    {
        Services = services;
        Registration = registration;
    }

    public IServiceCollection Services { get; }

    public string Name => Registration.Name;

    public WorkerRegistration Registration { get; }

    public static WorkerRegistration RegistrationOf(ICerebroWorkerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder is CerebroWorkerBuilder known
            ? known.Registration
            : throw new CerebroException("this ICerebroWorkerBuilder was not made by AddCerebroWorker");
    }
}
