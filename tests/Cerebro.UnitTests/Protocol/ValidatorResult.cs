namespace Cerebro.UnitTests.Protocol;

/// <summary>What <c>validate.py</c> said: exit code 0 valid, 1 invalid, 2 usage error.</summary>
internal sealed record ValidatorResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n{Output}{Error}";
}
