using System.Text;

namespace Cerebro.Benchmarks.Reporting;

/// <summary>Every figure of a benchmark run, in the order they were declared, and the notes that go with them.</summary>
public sealed class ResultTable
{
    private readonly List<Figure> _figures = [];
    private readonly List<string> _notes = [];
    private readonly List<(string Title, List<string[]> Rows)> _details = [];

    public IReadOnlyList<Figure> Figures => _figures;

    public Figure Declare(string id, string title, string unit, Better better, double? target = null, string? targetText = null)
    {
        var existing = _figures.Find(f => f.Id == id);
        if (existing is not null)
            return existing;
        var figure = new Figure(id, title, unit, better, target, targetText);
        _figures.Add(figure);
        return figure;
    }

    public Figure? Find(string id) => _figures.Find(f => f.Id == id);

    public void Note(string note)
    {
        lock (_notes)
            _notes.Add(note);
    }

    /// <summary>A secondary table (header row first) printed after the main one.</summary>
    public void Detail(string title, List<string[]> rows) => _details.Add((title, rows));

    /// <summary>Marks every figure of a shape that has fewer values than <paramref name="expected"/> with the reason.</summary>
    public void Fail(IEnumerable<Figure> figures, string problem, int expected)
    {
        foreach (var figure in figures.Where(f => f.Values.Count < expected))
            figure.Problem ??= problem;
    }

    public string ToMarkdown(string header)
    {
        var text = new StringBuilder();
        text.AppendLine(header).AppendLine();
        text.AppendLine("| # | figure | median | min – max | n | target | met | floor (same run) | × floor |");
        text.AppendLine("|---|---|---:|---:|---:|---|---|---:|---:|");
        foreach (var f in _figures)
        {
            text.AppendLine($"| {f.Id} | {f.Title} | {f.MedianCell} | {f.RangeCell} | {f.Values.Count} | {f.TargetCell} | {f.MetCell} | {f.FloorCell} | {f.RatioCell} |");
        }

        foreach (var (title, rows) in _details)
        {
            text.AppendLine().AppendLine(title).AppendLine();
            if (rows.Count == 0)
                continue;
            text.AppendLine("| " + string.Join(" | ", rows[0]) + " |");
            text.AppendLine("|" + string.Concat(rows[0].Select(_ => "---|")));
            foreach (var row in rows.Skip(1))
                text.AppendLine("| " + string.Join(" | ", row) + " |");
        }

        var notes = _figures.Where(f => f.Note is not null).Select(f => $"{f.Id}: {f.Note}").Concat(_notes).ToList();
        if (notes.Count > 0)
        {
            text.AppendLine().AppendLine("Notes:").AppendLine();
            foreach (var note in notes)
                text.AppendLine($"- {note}");
        }

        return text.ToString();
    }
}
