# TaskServerB, the demo agent task-server-b. Build from the repository root:
#   docker build -f deploy/task-server-b.Dockerfile -t cerebro-task-server-b .
# Configuration is the environment, as with scripts/run-local.sh: ConnectionStrings__RabbitMq (amqp URI),
# optionally CEREBRO_MAX_CONCURRENCY, CEREBRO_TASK_DURATION_MS and Cerebro__Worker__* (see src/Shared/DemoAgent.cs).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# global.json is left out on purpose (see cerebro.Dockerfile).
# .editorconfig* (when present) carries the analyzer settings the build treats as errors.
COPY Directory.Build.props Directory.Packages.props .editorconfig* ./
COPY src/ src/
RUN dotnet publish src/TaskServerB/TaskServerB.csproj -c Release -o /app -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/runtime:10.0
WORKDIR /app
COPY --from=build /app ./
USER $APP_UID
ENTRYPOINT ["dotnet", "TaskServerB.dll"]
