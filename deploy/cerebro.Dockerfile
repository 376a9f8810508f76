# Cerebro.Server, the coordinator. Build from the repository root:
#   docker build -f deploy/cerebro.Dockerfile -t cerebro .
# Configuration is the environment, as with scripts/run-local.sh: ConnectionStrings__RabbitMq (amqp URI),
# ConnectionStrings__Cerebro (Npgsql connection string), ASPNETCORE_URLS. Health: GET /health (docker-compose.yml checks it).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# global.json is left out on purpose: it pins the developers' SDK (10.0.401) and would refuse an image whose
# 10.0 SDK is of an older feature band; any 10.0 SDK builds net10.0.
# .editorconfig* (when present) carries the analyzer settings the build treats as errors.
COPY Directory.Build.props Directory.Packages.props .editorconfig* ./
COPY src/ src/
RUN dotnet publish src/Cerebro.Server/Cerebro.Server.csproj -c Release -o /app -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app ./
ENV ASPNETCORE_URLS=http://+:8080
EXPOSE 8080
USER $APP_UID
ENTRYPOINT ["dotnet", "Cerebro.Server.dll"]
