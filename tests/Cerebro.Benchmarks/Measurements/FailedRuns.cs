using Cerebro.Benchmarks.Infrastructure;
using Cerebro.Benchmarks.Reporting;

namespace Cerebro.Benchmarks.Measurements;

/// <summary>
/// Runs that Cerebro ended as failed during a shape: the repetition is left out of the figures and the failures are
/// reported next to them (a spurious timeout under load is a finding, not a reason to stop measuring).
/// </summary>
public sealed class FailedRuns(BenchContext context, string shape, bool countTimeouts = false)
{
    private readonly List<string> _failures = [];
    private int _attempts;

    public int Count => _failures.Count;

    public async Task<bool> TryAsync(Func<Task> repetition)
    {
        _attempts++;
        try
        {
            await repetition().ConfigureAwait(false);
            return true;
        }
        catch (RunFailedException ex)
        {
            _failures.Add(ex.Message);
            context.Log($"{shape}: {ex.Message}");
            return false;
        }
        catch (TimeoutException ex) when (countTimeouts)
        {
            _failures.Add(ex.Message.Split('\n')[0]);
            context.Log($"{shape}: {ex.Message.Split('\n')[0]}");
            return false;
        }
    }

    /// <summary>Marks the figures when some attempts failed, with the first failure as a note.</summary>
    public void Report(params Figure[] figures)
    {
        if (_failures.Count == 0)
            return;
        foreach (var figure in figures)
            figure.Problem ??= $"{_failures.Count} of {_attempts} runs failed";
        context.Results.Note($"{shape}: {_failures.Count} of {_attempts} runs failed; first: {_failures[0]}");
    }
}
