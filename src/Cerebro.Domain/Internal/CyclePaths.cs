namespace Cerebro.Domain.Internal;

/// <summary>
/// Names a simple cycle through any task of a strongly connected component in time proportional to the cycle's
/// length: two breadth-first trees from one root (paths root-to-task and task-to-root) are joined into a closed
/// walk and its loops are erased. Per-task searches would cost the component's size per task.
/// </summary>
internal sealed class CyclePaths(Region region, int[] component)
{
    private readonly int[] _fromRoot = new int[region.Count];   // predecessor on a shortest path root -> task
    private readonly int[] _toRoot = new int[region.Count];     // successor on a shortest path task -> root
    private readonly int[] _distanceToRoot = new int[region.Count];
    private readonly int[] _seen = new int[region.Count];       // stamps, so arrays need no clearing per search
    private readonly int[] _position = new int[region.Count];
    private int _stamp;
    private int _root = -1;

    /// <summary>Grows both trees from <paramref name="root"/> inside its component.</summary>
    public void Root(int root)
    {
        _root = root;
        var id = component[root];

        // Root to task, along upstream edges.
        _stamp++;
        var queue = new Queue<int>();
        _seen[root] = _stamp;
        queue.Enqueue(root);
        while (queue.TryDequeue(out var v))
        {
            for (var e = region.UpStart[v]; e < region.UpStart[v + 1]; e++)
            {
                var w = region.Up[e];
                if (component[w] == id && _seen[w] != _stamp)
                {
                    _seen[w] = _stamp;
                    _fromRoot[w] = v;
                    queue.Enqueue(w);
                }
            }
        }

        // Task to root: search from the root against the edges.
        _stamp++;
        _seen[root] = _stamp;
        _distanceToRoot[root] = 0;
        queue.Enqueue(root);
        while (queue.TryDequeue(out var v))
        {
            for (var e = region.DownStart[v]; e < region.DownStart[v + 1]; e++)
            {
                var w = region.Down[e];
                if (component[w] == id && _seen[w] != _stamp)
                {
                    _seen[w] = _stamp;
                    _toRoot[w] = v;
                    _distanceToRoot[w] = _distanceToRoot[v] + 1;
                    queue.Enqueue(w);
                }
            }
        }
    }

    /// <summary>A simple cycle starting at <paramref name="task"/>, in upstream direction, without repeating the start.</summary>
    public List<int> Through(int task)
    {
        var walk = new List<int>();
        if (task == _root)
        {
            // The shortest way back: the upstream nearest the root by the task-to-root tree.
            var id = component[task];
            var best = -1;
            for (var e = region.UpStart[task]; e < region.UpStart[task + 1]; e++)
            {
                var w = region.Up[e];
                if (component[w] == id && (best < 0 || _distanceToRoot[w] < _distanceToRoot[best]))
                {
                    best = w;
                }
            }

            walk.Add(task);
            for (var v = best; v != task; v = _toRoot[v])
            {
                walk.Add(v);
            }

            return walk;
        }

        // A closed walk task -> .. -> root -> .. -> task; the two halves may cross, hence the loop erasure.
        for (var v = task; v != _root; v = _toRoot[v])
        {
            walk.Add(v);
        }

        walk.Add(_root);
        var mark = walk.Count;
        for (var v = _fromRoot[task]; v != _root; v = _fromRoot[v])
        {
            walk.Add(v);
        }

        walk.Reverse(mark, walk.Count - mark);
        return EraseLoops(walk);
    }

    private List<int> EraseLoops(List<int> walk)
    {
        _stamp++;
        var path = new List<int>(walk.Count);
        foreach (var v in walk)
        {
            if (_seen[v] == _stamp)
            {
                var keep = _position[v] + 1;
                for (var k = keep; k < path.Count; k++)
                {
                    _seen[path[k]] = 0;
                }

                path.RemoveRange(keep, path.Count - keep);
                continue;
            }

            _seen[v] = _stamp;
            _position[v] = path.Count;
            path.Add(v);
        }

        return path;
    }
}
