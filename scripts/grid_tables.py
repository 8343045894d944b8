"""The batch-negative grid of docs/EXPERIMENTS.md §1 (the plain `mlp` head), from the results.json of each study
(scripts/grid-tables): mean ± sd over seeds; trends in τ; the best τ against the others; the paper's Table 1 layout;
hard against infonce at each τ; the losses without τ against each other and against infonce. Differences are paired
over the seeds both sides share (every study draws the same split and seeds 1-5), Holm-corrected where one question
is asked of several τ at once.
"""
import sys
from pathlib import Path

from bank_tables import differences, holm, load, mean, paired, paired_rows, peak, per_tau_table, table1, trends

ORDER = ("fmnist-infonce-batch", "fmnist-hard-batch", "fmnist-simple-batch", "fmnist-hard-simple-batch")


def main(folder):
    folder = Path(folder)
    study = {p.name: load(p) for p in sorted(folder.iterdir()) if (p / "results.json").exists()}
    present = [study[n] for n in ORDER if n in study] + [s for n, s in study.items() if n not in ORDER]
    print("#### Batch negatives: mean ± sd over seeds\n")
    print(per_tau_table(present))
    with_tau = [s for s in present if len(s[1]) > 1]
    if with_tau:
        print("\n#### Trends in τ (least squares on log10 τ over every trial)\n")
        print(trends(with_tau))
        for results, by_tau in with_tau:
            print("\n" + peak(results, by_tau))
    if all(n in study for n in ORDER):
        print("\nThe means in the layout of the paper's Table 1 (test linear accuracy %):\n")
        print(table1(*(study[n] for n in ORDER)).replace("Fashion-MNIST, memory bank", "Fashion-MNIST, batch"))
    if "fmnist-hard-batch" in study and "fmnist-infonce-batch" in study:
        print("\n#### hard − infonce at each τ (paired over seeds 1–5)\n")
        print(differences(study["fmnist-hard-batch"], study["fmnist-infonce-batch"]))
    comparisons = []
    if "fmnist-simple-batch" in study and "fmnist-hard-simple-batch" in study:
        comparisons.append(("hard-simple − simple", study["fmnist-hard-simple-batch"][1][None], study["fmnist-simple-batch"][1][None]))
    if "fmnist-simple-batch" in study and "fmnist-infonce-batch" in study:
        infonce = study["fmnist-infonce-batch"][1]
        worst = min(infonce, key=lambda t: mean(infonce[t], "linear_accuracy"))
        comparisons.append((f"simple − infonce at its least accurate τ ({worst:g})", study["fmnist-simple-batch"][1][None], infonce[worst]))
    if "fmnist-hard-simple-batch" in study and "fmnist-infonce-batch" in study:
        infonce = study["fmnist-infonce-batch"][1]
        best = max(infonce, key=lambda t: mean(infonce[t], "val_linear_accuracy"))
        comparisons.append((f"hard-simple − infonce at its best validation τ ({best:g})", study["fmnist-hard-simple-batch"][1][None], infonce[best]))
    if comparisons:
        print("\n#### The losses without τ (test linear accuracy, paired over seeds, Holm-corrected together)\n")
        print("| comparison | n | Δ (points) [95% CI] | Holm p |\n|---|---|---|---|")
        print("\n".join(paired_rows(comparisons, "linear_accuracy")))
        for metric in ("uniformity", "tolerance"):
            print(f"\n| comparison | n | Δ {metric} [95% CI] | Holm p |\n|---|---|---|---|")
            print("\n".join(metric_rows(comparisons, metric)))


def metric_rows(comparisons, metric):
    """As paired_rows, for a metric printed as it is (not in points)."""
    tests = [(name, paired(a, b, metric)) for name, a, b in comparisons]
    adjusted = holm([t[4] for _, t in tests])
    return [f"| {name} | {n} | {m:+.3f} [{lo:+.3f}, {hi:+.3f}] | {p:.3g} |" for (name, (n, m, lo, hi, _)), p in zip(tests, adjusted)]


if __name__ == "__main__":
    main(sys.argv[1])
