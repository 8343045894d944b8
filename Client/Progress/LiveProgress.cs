using Spectre.Console;
using Spectre.Console.Rendering;
using Study.Grains;
using Study.Grains.Storage;

namespace Study.Client.Progress;

/// <summary>
/// The live view of `run`, `watch` and `resume` on a terminal: a header (search, pruner, best so far, trial counts,
/// images/s) and a row per trial, redrawn in place from the store twice a second. With an <c>onCancel</c> (`run`),
/// the first Ctrl-C asks whether to cancel the study or to detach; without one (`watch`) it stops watching.
/// </summary>
public sealed class LiveProgress(IStudyStore store, string studyId, IAnsiConsole console, string detachHint) : IStudyProgress
{
    static readonly TimeSpan Redraw = TimeSpan.FromMilliseconds(500);
    volatile bool asking;

    public async Task<StudyRecord?> Follow(Func<Task>? onCancel, CancellationToken cancel, CancellationToken detach)
    {
        using var intercept = onCancel is null ? null : ConsoleInterrupt.Intercept(() => asking = true);
        StudyRecord? final = null;
        bool cancelling = false;
        var model = await StudyProgressModel.Read(store, studyId);
        await console.Live(Render(model, null, console.Profile.Width)).AutoClear(false).Overflow(VerticalOverflow.Ellipsis)
            .Cropping(VerticalOverflowCropping.Bottom)
            .StartAsync(async live =>
            {
                while (true)
                {
                    if (detach.IsCancellationRequested) return;
                    string? notice = cancelling ? "cancelling: running trials stop at their next step" : null;
                    if (asking && !cancelling)
                    {
                        notice = $"Ctrl-C: press [bold]c[/] to cancel the study, [bold]d[/] to detach ({detachHint}), any other key to go on";
                        if (ReadKey() is { } key)
                        {
                            asking = false;
                            if (key == 'd') return;
                            if (key == 'c') { cancelling = true; await onCancel!(); }
                        }
                    }
                    if (cancel.IsCancellationRequested && !cancelling)
                    {
                        if (onCancel is null) return;
                        cancelling = true;
                        await onCancel();
                    }
                    model = await StudyProgressModel.Read(store, studyId);
                    live.UpdateTarget(Render(model, notice, console.Profile.Width));
                    live.Refresh();
                    if (StudyStatuses.IsFinal(model.Study.Status)) { final = model.Study; return; }
                    try { await Task.Delay(Redraw, cancelling || asking ? CancellationToken.None : cancel); }
                    catch (OperationCanceledException) { }
                }
            });
        return final;
    }

    static char? ReadKey()
    {
        try { return Console.KeyAvailable ? char.ToLowerInvariant(Console.ReadKey(intercept: true).KeyChar) : null; }
        catch (InvalidOperationException) { return null; } // stdin is not a terminal: the question cannot be answered
    }

    /// <summary>The whole view, its table fitted to <paramref name="width"/> columns: loss goes first, then
    /// uniformity and tolerance, then where the trial runs.</summary>
    public static IRenderable Render(StudyProgressModel m, string? notice, int width)
    {
        var s = m.Spec;
        var best = m.Best is { } b ? $"best τ [bold]{Markup.Escape(b.Setting?.Label ?? "-")}[/] {b.Objective} {Numbers.Fixed(b.Value, 3)}" : "best: none yet";
        var header = new Markup(
            $"[bold]{Markup.Escape(m.Study.StudyId)}[/]  {Markup.Escape(m.Study.Status)}  ·  {Markup.Escape(s.Dataset)}, {SettingName.Of(s.Loss)}, " +
            $"search {SettingName.Of(s.Search)}, pruner {SettingName.Of(s.Pruner)}\n" +
            $"{best}  ·  [green]{m.Done} done[/]  [blue]{m.Running} running[/]  {m.Queued} queued  " +
            $"{(m.Collapsed > 0 ? $"[magenta]{m.Collapsed} collapsed[/]  " : "")}[red]{m.Failed} failed[/]  ·  {Numbers.Count(m.ImagesPerSecond)} images/s");
        FittedColumn[] columns = [new("τ", true), new("state"), new("silo, device", DropOrder: 4), new("epoch progress"),
            new("loss", true, 1), new("obj.", true), new("unif.", true, 3), new("tol.", true, 2)];
        var visible = VisibleRows(m.Rows).ToList();
        var table = FittedTable.Build(columns, [.. visible.Select(r => new[]
        {
            Markup.Escape(r.Label), StateMarkup(r.State), Markup.Escape(Clip(r.Silo ?? "", 15) + (r.Device is { } d ? " " + d : "")), Bar(r),
            Numbers.Fixed(r.Loss, 3), Grey(Numbers.Fixed(r.Objective, 3), !r.ObjectiveIsFinal),
            Grey(Numbers.Fixed(r.Uniformity, 2), !r.EmbeddingIsFinal), Grey(Numbers.Fixed(r.Tolerance, 2), !r.EmbeddingIsFinal),
        })], width);
        int hidden = m.Rows.Count - visible.Count;
        var parts = new List<IRenderable> { header, table };
        if (hidden > 0) parts.Add(new Markup($"[grey]… {hidden} more trials (study show {Markup.Escape(m.Study.StudyId)})[/]"));
        parts.Add(new Markup("[grey]obj.: validation " + Markup.Escape(s.ValidationObjective) + " when done, grey: the last epoch's val kNN accuracy\n" +
            "unif., tol.: the test embedding's when done, grey: the last epoch's validation embedding's[/]"));
        if (notice is not null) parts.Add(new Markup($"[yellow]{notice}[/]"));
        return new Rows(parts);
    }

    /// <summary>Rows that fit a screen: running trials first, then the most recent others.</summary>
    static IEnumerable<TrialProgressRow> VisibleRows(IReadOnlyList<TrialProgressRow> rows)
    {
        int room = Math.Max(10, (Console.IsOutputRedirected ? 40 : Console.WindowHeight) - 9);
        if (rows.Count <= room) return rows;
        var running = rows.Where(r => r.State is "running" or "evaluating").ToList();
        var ended = rows.Where(r => r.State is not ("running" or "evaluating" or "queued")).TakeLast(Math.Max(0, room - running.Count));
        return running.Concat(ended).Take(room);
    }

    static string Bar(TrialProgressRow r)
    {
        const int width = 8;
        int filled = (int)Math.Round(r.Fraction * width);
        var color = r.State switch { "completed" => "green", "failed" => "red", "collapsed" => "magenta", "pruned" or "cancelled" => "grey", _ => "blue" };
        var eta = r.Eta is { } t ? $" {(int)t.TotalMinutes}:{t.Seconds:00}" : "";
        return $"[{color}]{new string('━', filled)}[/][grey]{new string('─', width - filled)}[/] {r.Epoch}/{r.Epochs} {r.Fraction,4:0%}{eta}";
    }

    static string StateMarkup(string state) => state switch
    {
        "running" => "[blue]running[/]",
        "evaluating" => "[blue]evaluating[/]",
        "completed" => "[green]completed[/]",
        "failed" => "[red]failed[/]",
        "pruned" => "[yellow]pruned[/]",
        "collapsed" => "[magenta]collapsed[/]",
        _ => Markup.Escape(state),
    };

    static string Grey(string text, bool grey) => grey ? $"[grey]{text}[/]" : text;

    static string Clip(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";
}
