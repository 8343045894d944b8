using ScottPlot;
using Study.Grains;
using Study.Training.Evaluation;

namespace Study.Client.Reporting;

/// <summary>One figure of the report: its file under plots/, a title, what it shows, and the ScottPlot plot.</summary>
public sealed record ReportPlot(string File, string Title, string Caption, Plot Plot)
{
    public const int Width = 900, Height = 540;

    public byte[] Png() => Plot.GetImageBytes(Width, Height, ImageFormat.Png);
}

/// <summary>
/// The report's figures (issue 4): the paper's central picture (objective, uniformity and tolerance against log τ),
/// uniformity against tolerance with the Pareto set, loss and objective per epoch, the similarity distributions,
/// and the entropy of the relative penalty against τ. Each τ keeps one colour in every figure.
/// </summary>
public static class ReportPlots
{
    public static IReadOnlyList<ReportPlot> Draw(ReportData data) =>
    [
        TauMetrics(data), UniformityTolerance(data), EpochCurves(data, loss: true), EpochCurves(data, loss: false),
        Similarities(data), PenaltyEntropy(data),
    ];

    static ReportPlot TauMetrics(ReportData data)
    {
        var plot = NewPlot("Objective, uniformity and tolerance against τ", TauAxisName(data), $"{data.ObjectiveName} / tolerance");
        var g = data.Groups;
        var xs = g.Select(x => Math.Log10(x.Tau)).ToArray();
        AddSeries(plot, xs, g.Select(x => x.Objective).ToArray(), data.ObjectiveName, Colors.Blue, right: false);
        AddSeries(plot, xs, g.Select(x => x.Tolerance).ToArray(), "tolerance", Colors.OrangeRed, right: false);
        AddSeries(plot, xs, g.Select(x => x.Uniformity).ToArray(), "uniformity (right axis)", Colors.Green, right: true);
        plot.Axes.Right.Label.Text = "uniformity";
        LogTauAxis(plot, g.Select(x => (x.Tau, x.Label)));
        plot.ShowLegend(Alignment.LowerLeft);
        return new ReportPlot("1-tau-objective-uniformity-tolerance.png", "1. Objective, uniformity and tolerance against τ",
            "Completed trials, mean over seeds (error bars: ± one standard deviation when there are several). The paper: " +
            "small τ gives uniform but intolerant embeddings, large τ the reverse, and accuracy peaks in between.", plot);
    }

    static void AddSeries(Plot plot, double[] xs, SeedSummary?[] values, string label, Color color, bool right)
    {
        var points = xs.Zip(values).Where(p => p.Second is not null).ToArray();
        var line = plot.Add.Scatter(points.Select(p => p.First).ToArray(), points.Select(p => p.Second!.Mean).ToArray(), color);
        line.LegendText = label;
        line.LineWidth = 2;
        line.MarkerSize = 8;
        if (right) line.Axes.YAxis = plot.Axes.Right;
        if (points.Any(p => p.Second!.Count > 1))
        {
            var bars = plot.Add.ErrorBar(points.Select(p => p.First).ToArray(), points.Select(p => p.Second!.Mean).ToArray(),
                points.Select(p => p.Second!.Sd).ToArray());
            bars.Color = color;
            if (right) bars.Axes.YAxis = plot.Axes.Right;
        }
    }

    static ReportPlot UniformityTolerance(ReportData data)
    {
        var plot = NewPlot("Uniformity against tolerance", "uniformity (higher: more uniform)", "tolerance (higher: more tolerant)");
        var trials = data.Trials.Where(t => t.Completed && t.Metrics?.Uniformity is not null && t.Metrics.Tolerance is not null).ToList();
        var objectives = trials.Select(t => t.Objective).OfType<double>().ToList();
        var scale = new ObjectiveColorScale(objectives.DefaultIfEmpty(0).Min(), objectives.DefaultIfEmpty(1).Max());
        foreach (var t in trials)
        {
            var color = t.Objective is { } o ? scale.ColorOf(o) : Colors.Gray;
            plot.Add.Marker(t.Metrics!.Uniformity!.Value, t.Metrics.Tolerance!.Value, MarkerShape.FilledCircle, 12, color);
            var label = plot.Add.Text($"τ={t.Label}", t.Metrics.Uniformity.Value, t.Metrics.Tolerance.Value);
            label.LabelFontSize = 11;
            label.OffsetX = 8;
            label.OffsetY = -8;
        }
        var pareto = trials.Where(t => data.Pareto.Contains(t.Record.TrialId)).OrderBy(t => t.Metrics!.Uniformity).ToList();
        if (pareto.Count > 0)
        {
            var front = plot.Add.Scatter(pareto.Select(t => t.Metrics!.Uniformity!.Value).ToArray(),
                pareto.Select(t => t.Metrics!.Tolerance!.Value).ToArray(), Colors.Red);
            front.MarkerShape = MarkerShape.OpenCircle;
            front.MarkerSize = 20;
            front.LinePattern = LinePattern.Dashed;
            front.LegendText = "Pareto set (no trial is both more uniform and more tolerant)";
            plot.ShowLegend(Alignment.UpperRight);
        }
        plot.Axes.Margins(horizontal: 0.2, vertical: 0.1);
        if (objectives.Count > 0)
        {
            var bar = plot.Add.ColorBar(scale);
            bar.Label = data.ObjectiveName;
        }
        return new ReportPlot("2-uniformity-tolerance.png", "2. Uniformity against tolerance",
            $"Each completed trial, coloured by {data.ObjectiveName}; circled: the uniformity–tolerance Pareto set.", plot);
    }

    static ReportPlot EpochCurves(ReportData data, bool loss)
    {
        var plot = NewPlot(loss ? "Training loss per epoch" : "Validation kNN accuracy per epoch (the per-epoch objective)",
            "epoch", loss ? "loss (epoch mean)" : "val_knn_accuracy (validation split)");
        var colors = TauColors(data);
        // One legend entry per τ (its colour), not per trial: with seeds, an entry per line ran off the figure.
        var named = new HashSet<string>();
        foreach (var t in data.Trials.Where(t => t.Epochs.Count > 0))
        {
            var line = plot.Add.Scatter(t.Epochs.Select(e => (double)e.Epoch).ToArray(),
                t.Epochs.Select(e => loss ? e.Loss : e.ValKnnAccuracy).ToArray(), colors(t.Setting));
            if (named.Add(t.Label))
                line.LegendText = data.Spec.Seeds > 1 ? $"τ={t.Label} ({data.Spec.Seeds} seeds)" : $"τ={t.Label}";
            line.LineWidth = 2;
            line.MarkerSize = 7;
            if (t.Record.Status != TrialStatus.Completed) line.LinePattern = LinePattern.Dotted;
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.ShowLegend(Edge.Right);
        return loss
            ? new ReportPlot("3a-loss-per-epoch.png", "3a. Loss per epoch", "A line per trial (dotted: pruned, failed or cancelled).", plot)
            : new ReportPlot("3b-objective-per-epoch.png", "3b. Objective per epoch",
                "The validation kNN accuracy measured after each epoch as the final evaluation measures it (the validation split " +
                "against all training images used; what the pruners rank).", plot);
    }

    static ReportPlot Similarities(ReportData data)
    {
        var plot = NewPlot("Similarity distributions (solid: positive pairs, dashed: 10 nearest negatives)", "cosine similarity", "density");
        var colors = TauColors(data);
        double lowest = 1;
        // One line pair per τ: its first seed's.
        var firstSeeds = data.Trials.Where(t => t.Completed && t.Similarities is not null).GroupBy(t => t.Setting).Select(g => g.MinBy(t => t.Record.Seed)!);
        foreach (var t in firstSeeds)
        {
            var h = t.Similarities!;
            lowest = Math.Min(lowest, LowestOccupied(h));
            var centres = h.BinEdges.Zip(h.BinEdges.Skip(1), (a, b) => (a + b) / 2).ToArray();
            var positive = plot.Add.Scatter(centres, Density(h.Positive, h), colors(t.Setting));
            positive.LegendText = $"τ={t.Label}";
            positive.LineWidth = 2;
            positive.MarkerSize = 0;
            var negative = plot.Add.Scatter(centres, Density(h.NearestNegatives, h), colors(t.Setting));
            negative.LinePattern = LinePattern.Dashed;
            negative.LineWidth = 2;
            negative.MarkerSize = 0;
        }
        plot.ShowLegend(Alignment.UpperLeft);
        if (lowest < 1) plot.Axes.SetLimitsX(lowest, 1.0);
        return new ReportPlot("4-similarities.png", "4. Positive and nearest-negative similarities",
            "For each τ (its first seed), the distribution over the evaluated test images of the similarity of the two views " +
            "of an image, and of its 10 most similar other images. The paper: small τ pushes the nearest negatives away.", plot);
    }

    /// <summary>The left edge of the first bin holding more than 0.1% of either distribution: the figure starts there.</summary>
    static double LowestOccupied(SimilarityHistograms h)
    {
        double positive = Math.Max(1, h.Positive.Sum()), negative = Math.Max(1, h.NearestNegatives.Sum());
        for (int i = 0; i < h.Positive.Length; i++)
            if (h.Positive[i] / positive > 0.001 || h.NearestNegatives[i] / negative > 0.001) return h.BinEdges[Math.Max(0, i - 1)];
        return -1;
    }

    static double[] Density(long[] counts, SimilarityHistograms h)
    {
        double total = Math.Max(1, counts.Sum());
        return counts.Select((c, i) => c / total / (h.BinEdges[i + 1] - h.BinEdges[i])).ToArray();
    }

    static ReportPlot PenaltyEntropy(ReportData data)
    {
        var plot = NewPlot("Entropy of the relative penalty against τ", TauAxisName(data), "entropy of r_i (nats)");
        var g = data.Groups;
        AddSeries(plot, g.Select(x => Math.Log10(x.Tau)).ToArray(), g.Select(x => x.PenaltyEntropy).ToArray(), "entropy of r_i", Colors.Purple, right: false);
        LogTauAxis(plot, g.Select(x => (x.Tau, x.Label)));
        return new ReportPlot("5-penalty-entropy.png", "5. Entropy of the relative penalty",
            "The entropy of the distribution of each anchor's penalty over the negatives its loss weighs, averaged over the " +
            "last epoch's training steps: it rises with τ (small τ concentrates the penalty on the hardest negatives).", plot);
    }

    static Plot NewPlot(string title, string x, string y)
    {
        var plot = new Plot();
        plot.Title(title, size: 15);
        plot.XLabel(x, size: 13);
        plot.YLabel(y, size: 13);
        return plot;
    }

    static string TauAxisName(ReportData data) => data.Spec.SearchesRanges ? "mean τ of the cosine schedule (log scale)" : "τ (log scale)";

    /// <summary>Log τ on the x axis: data are plotted at log10 τ, ticks are labelled with τ (or the τ range there).</summary>
    static void LogTauAxis(Plot plot, IEnumerable<(double Tau, string Label)> points)
    {
        var list = points.DistinctBy(p => p.Tau).ToList();
        if (list.Count == 0) return;
        double lo = list.Min(p => p.Tau), hi = list.Max(p => p.Tau);
        double[] nice = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50];
        // A few temperatures (a grid): tick each; many (random, adaptive): round values.
        var ticks = list.Count <= 8 ? list : nice.Where(t => t >= lo && t <= hi).Select(t => (Tau: t, Label: Numbers.Setting(t))).ToList();
        if (ticks.Count < 2) ticks = list;
        var generator = new ScottPlot.TickGenerators.NumericManual();
        foreach (var t in ticks) generator.AddMajor(Math.Log10(t.Tau), t.Label);
        plot.Axes.Bottom.TickGenerator = generator;
        double pad = Math.Max(0.05, (Math.Log10(hi) - Math.Log10(lo)) * 0.08);
        plot.Axes.SetLimitsX(Math.Log10(lo) - pad, Math.Log10(hi) + pad);
    }

    /// <summary>A colour per τ (or τ range), from dark (small τ) to light (large τ), the same in every figure.</summary>
    static Func<TauSetting?, Color> TauColors(ReportData data)
    {
        var taus = data.Trials.Select(t => t.Setting).OfType<TauSetting>().Distinct().OrderBy(t => t.Mean).ThenBy(t => t.Low).ToList();
        var map = new ScottPlot.Colormaps.Turbo();
        return tau => tau is { } t && taus.Count > 1
            ? map.GetColor(0.1 + 0.8 * taus.IndexOf(t) / (taus.Count - 1))
            : Colors.Blue;
    }

    /// <summary>The objective's colour scale, for the colour bar of figure 2.</summary>
    sealed class ObjectiveColorScale(double min, double max) : IHasColorAxis
    {
        public IColormap Colormap { get; set; } = new ScottPlot.Colormaps.Viridis();

        public ScottPlot.Range GetRange() => max > min ? new ScottPlot.Range(min, max) : new ScottPlot.Range(min - 0.01, max + 0.01);

        public Color ColorOf(double value)
        {
            var range = GetRange();
            return Colormap.GetColor((value - range.Min) / (range.Max - range.Min));
        }
    }
}
