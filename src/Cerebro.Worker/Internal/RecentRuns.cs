namespace Cerebro.Worker.Internal;

/// <summary>
/// The (taskRunId, attempt) pairs this process has taken on, to drop copies of an invoke. Bounded: the oldest are
/// forgotten first, long after Cerebro stopped sending copies of them.
/// </summary>
internal sealed class RecentRuns
{
    private readonly int _capacity;
    private readonly Lock _lock = new();
    private readonly Dictionary<RunKey, LinkedListNode<RunKey>> _index = [];
    private readonly LinkedList<RunKey> _order = new();

    public RecentRuns(int capacity)
    {
        _capacity = capacity;
    }

    public int Count
    {
        get
        {
            lock (_lock)
                return _index.Count;
        }
    }

    /// <summary>Records the pair; false when it was seen already (a duplicate).</summary>
    public bool TryAdd(RunKey key)
    {
        lock (_lock)
        {
            if (_index.ContainsKey(key))
                return false;
            _index[key] = _order.AddLast(key);
            while (_order.Count > _capacity)
            {
                _index.Remove(_order.First!.Value);
                _order.RemoveFirst();
            }

            return true;
        }
    }

    /// <summary>Forgets a pair whose invoke was given back to the queue unstarted, so its redelivery runs.</summary>
    public void Remove(RunKey key)
    {
        lock (_lock)
        {
            if (_index.Remove(key, out var node))
                _order.Remove(node);
        }
    }
}
