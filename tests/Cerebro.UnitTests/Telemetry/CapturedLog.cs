using Microsoft.Extensions.Logging;

namespace Cerebro.UnitTests.Telemetry;

public sealed record CapturedLog(string Category, LogLevel Level, string Message, IReadOnlyDictionary<string, string?> Scope);
