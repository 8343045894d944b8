"""The memory-bank tables of docs/EXPERIMENTS.md §1, from the results.json of each study (scripts/bank-tables).

Every mean comes with its n and sample sd; every stated difference with its 95% Student-t interval and a paired
t-test over the seeds both sides share (the studies share seeds 1-3 and their data split), Holm-corrected where one
question is asked of several τ at once.
"""
import json
import math
import sys
from pathlib import Path

from scipy import stats

METRICS = [("val objective", "val_linear_accuracy"), ("linear acc. (test)", "linear_accuracy"), ("kNN acc. (test)", "knn_accuracy"),
           ("uniformity", "uniformity"), ("tolerance", "tolerance"), ("alignment", "alignment")]


# What may differ between the studies of one preset that load() merges: their ids, which seeds they ran, and the
# collapse rule, which came after the first of them and stops no healthy trial (CommittedResultsTests replays it).
PER_STUDY = {"study_id", "seed", "seeds", "total_trials", "split_seed", "collapse_check", "collapse_uniformity", "collapse_tolerance"}


def parts(folder):
    """The results.json of a preset's study and of any study beside it in a subfolder (more seeds of the same preset,
    docs/results/bank/PRESET/seeds-4-5): (folder, results) pairs."""
    found = [folder] + sorted(p for p in folder.iterdir() if p.is_dir() and (p / "results.json").exists())
    return [(f, json.loads((f / "results.json").read_text())) for f in found]


def preset(spec):
    """What makes two studies runs of the same preset on the same data: every setting but PER_STUDY's, and the split."""
    return {k: v for k, v in spec.items() if k not in PER_STUDY} | {"split": spec.get("split_seed") or spec["seed"]}


def load(folder, key=lambda trial: trial["tau"]):
    """The study and its trials by key (τ by default) and seed, merged over the studies of the folder (parts)."""
    found = parts(folder)
    results = found[0][1]
    by_key = {}
    for _, part in found:
        if preset(part["spec"]) != preset(results["spec"]):
            raise SystemExit(f"{folder}: the study {part['study_id']} is not a run of the same preset on the same data")
        for t in part["trials"]:
            if t["seed"] in by_key.get(key(t), {}):
                raise SystemExit(f"{folder}: τ {key(t)} seed {t['seed']} is in two studies")
            by_key.setdefault(key(t), {})[t["seed"]] = t
    return results, by_key


def label(results):
    spec = results["spec"]
    parts = [spec["loss"], spec["negatives"]]
    parts.append(spec.get("projection_head", "mlp") + " head")
    if spec["epochs"] != 10:
        parts.append(f"{spec['epochs']} epochs")
    return ", ".join(parts)


def tau_label(tau):
    return "-" if tau is None else f"{tau:g}"


def values(trials, metric):
    return [t["metrics"][metric] for t in trials.values() if t["status"] == "completed" and t["metrics"].get(metric) is not None]


def mean_sd(xs):
    if not xs:
        return "-"
    mean = sum(xs) / len(xs)
    sd = math.sqrt(sum((x - mean) ** 2 for x in xs) / (len(xs) - 1)) if len(xs) > 1 else 0.0
    return f"{mean:.4f} ± {sd:.4f}"


def per_tau_table(studies):
    head = "| study | τ | n | " + " | ".join(name for name, _ in METRICS) + " | collapsed |"
    lines = [head, "|" + "---|" * (len(METRICS) + 4)]
    for results, by_tau in studies:
        for tau in sorted(by_tau, key=lambda t: -1 if t is None else t):
            lines.append(f"| {label(results)} | {tau_label(tau)} | {summary_cells(by_tau[tau])} |")
    return "\n".join(lines)


def summary_cells(trials):
    """n completed | each metric's mean ± sd | n collapsed, for one τ's trials."""
    n = sum(1 for t in trials.values() if t["status"] == "completed")
    collapsed = sum(1 for t in trials.values() if t["status"] == "collapsed")
    return f"{n} | " + " | ".join(mean_sd(values(trials, metric)) for _, metric in METRICS) + f" | {collapsed}"


def paired(a, b, metric):
    """Differences a − b over the seeds both completed: (n, mean, low, high, p)."""
    seeds = sorted(s for s in a if s in b and a[s]["status"] == b[s]["status"] == "completed")
    d = [a[s]["metrics"][metric] - b[s]["metrics"][metric] for s in seeds]
    n = len(d)
    mean = sum(d) / n
    if n < 2:
        return n, mean, math.nan, math.nan, math.nan
    sd = math.sqrt(sum((x - mean) ** 2 for x in d) / (n - 1))
    half = stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
    p = stats.ttest_rel([a[s]["metrics"][metric] for s in seeds], [b[s]["metrics"][metric] for s in seeds]).pvalue if sd > 0 else 0.0
    return n, mean, mean - half, mean + half, p


def holm(ps):
    order = sorted(range(len(ps)), key=lambda i: ps[i])
    adjusted, running = [0.0] * len(ps), 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(ps) - rank) * ps[i]))
        adjusted[i] = running
    return adjusted


def difference_cell(n, mean, low, high, p, scale=1.0, digits=2):
    return f"{mean * scale:+.{digits}f} [{low * scale:+.{digits}f}, {high * scale:+.{digits}f}], p = {p:.3g}"


def differences(first, second):
    """Per τ: the first study − the second (same seeds and data), linear accuracy (test, points), uniformity, tolerance."""
    (rb, bank_taus), (rn, batch_taus) = first, second
    rows = [(tau_label(tau), bank_taus[tau], batch_taus[tau]) for tau in sorted(t for t in bank_taus if t in batch_taus)]
    return f"{label(rb)} − {label(rn)}, paired over seeds, Holm-corrected over the six τ:\n\n" + difference_table("τ", rows)


def difference_table(what, rows):
    """(name, a, b) rows: a − b over the seeds both completed, linear accuracy (test, points), uniformity and tolerance,
    each column Holm-corrected over the rows."""
    cells = [[paired(a, b, m) for m in ("linear_accuracy", "uniformity", "tolerance")] for _, a, b in rows]
    for column in range(3):
        adjusted = holm([c[column][4] for c in cells])
        for c, p in zip(cells, adjusted):
            c[column] = c[column][:4] + (p,)
    lines = [f"| {what} | n | Δ linear acc. (test, points) | Δ uniformity | Δ tolerance |", "|---|---|---|---|---|"]
    for (name, _, _), c in zip(rows, cells):
        lines.append(f"| {name} | {c[0][0]} | {difference_cell(*c[0], scale=100)} | {difference_cell(*c[1])} | {difference_cell(*c[2], digits=3)} |")
    return "\n".join(lines)


def slope(by_tau, metric, from_tau=0.0):
    """Least squares of the metric on log10 τ over every completed trial at τ ≥ from_tau: (n, slope, low, high, p)."""
    points = [(math.log10(tau), t["metrics"][metric]) for tau, trials in by_tau.items() if tau >= from_tau for t in trials.values()
              if t["status"] == "completed"]
    fit = stats.linregress([x for x, _ in points], [y for _, y in points])
    half = stats.t.ppf(0.975, len(points) - 2) * fit.stderr
    return len(points), fit.slope, fit.slope - half, fit.slope + half, fit.pvalue


def trends(studies, from_tau=0.0):
    lines = ["| study | metric | n | slope per decade of τ [95% CI] | p |", "|---|---|---|---|---|"]
    for results, by_tau in studies:
        for metric in ("uniformity", "tolerance", "linear_accuracy"):
            n, s, low, high, p = slope(by_tau, metric, from_tau)
            lines.append(f"| {label(results)} | {metric} | {n} | {s:+.3f} [{low:+.3f}, {high:+.3f}] | {p:.3g} |")
    return "\n".join(lines)


def paired_rows(comparisons, metric):
    """Paired tests of (label, a, b) comparisons of one metric, Holm-corrected together, as table rows (points)."""
    tests = [(name, paired(a, b, metric)) for name, a, b in comparisons]
    adjusted = holm([t[4] for _, t in tests])
    return [f"| {name} | {n} | {mean * 100:+.2f} [{low * 100:+.2f}, {high * 100:+.2f}] | {p:.3g} |"
            for (name, (n, mean, low, high, _)), p in zip(tests, adjusted)]


def peak(results, by_tau, metric="val_linear_accuracy"):
    """The τ of the best seed mean against each other τ: paired, Holm-corrected."""
    means = {tau: mean(trials, metric) for tau, trials in by_tau.items() if values(trials, metric)}
    best = max(means, key=means.get)
    others = sorted(t for t in means if t != best)
    lines = [f"| {label(results)}: τ = {tau_label(best)} against | n | Δ {metric} (points) | Holm p |", "|---|---|---|---|"]
    return "\n".join(lines + paired_rows([(f"τ = {tau_label(t)}", by_tau[best], by_tau[t]) for t in others], metric))


def mean(trials, metric):
    xs = values(trials, metric)
    return sum(xs) / len(xs) if xs else math.nan


def table1(infonce, hard, simple, hard_simple):
    """The bank's means in the layout of the paper's Table 1 (Wang & Liu 2021; docs/EXPERIMENTS.md shows it): test linear accuracy %, uniformity, tolerance."""
    cells = [infonce[1].get(t, {}) for t in (0.07, 0.3, 0.7, 1.0)] + [simple[1][None]] + \
            [hard[1].get(t, {}) for t in (0.07, 0.3, 0.7, 1.0)] + [hard_simple[1][None]]
    lines = ["| Fashion-MNIST, memory bank | τ = 0.07 | 0.3 | 0.7 | 1.0 | simple | hard 0.07 | hard 0.3 | hard 0.7 | hard 1.0 | hard-simple |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, metric, scale, digits in (("accuracy", "linear_accuracy", 100, 2), ("uniformity", "uniformity", 1, 2), ("tolerance", "tolerance", 1, 3)):
        lines.append(f"| {name} | " + " | ".join(f"{mean(c, metric) * scale:.{digits}f}" for c in cells) + " |")
    return "\n".join(lines)


def main(folder):
    folder = Path(folder)
    study = {p.name: load(p) for p in sorted(folder.iterdir()) if (p / "results.json").exists()}
    bank = [study[n] for n in ("fmnist-infonce-bank", "fmnist-hard-bank", "fmnist-hard-bank-long", "fmnist-simple-bank",
                               "fmnist-hard-simple-bank", "fmnist-infonce-bank-mlp") if n in study]
    batch = [study[n] for n in ("fmnist-infonce-batch-bn", "fmnist-hard-batch-bn") if n in study]
    print("#### Memory bank (InstDisc): mean ± sd over seeds\n")
    print(per_tau_table(bank))
    if batch:
        print("\n#### Batch negatives, the same model (mlp-bn head)\n")
        print(per_tau_table(batch))
    print("\n#### Differences at each τ (paired over seeds)")
    for name, other in (("fmnist-infonce-bank", "fmnist-infonce-batch-bn"), ("fmnist-hard-bank", "fmnist-hard-batch-bn"),
                        ("fmnist-hard-bank", "fmnist-infonce-bank"), ("fmnist-hard-batch-bn", "fmnist-infonce-batch-bn")):
        if name in study and other in study:
            print("\n" + differences(study[name], study[other]))
    grid = folder.parent / "grid"  # §1's batch studies with the plain mlp head: same data and seeds, another head
    for name, plain in (("fmnist-infonce-batch-bn", "fmnist-infonce-batch"), ("fmnist-hard-batch-bn", "fmnist-hard-batch")):
        if name in study and (grid / plain / "results.json").exists():
            other = load(grid / plain)
            if preset(other[0]["spec"]) | {"projection_head": None} != preset(study[name][0]["spec"]) | {"projection_head": None}:
                raise SystemExit(f"{grid / plain} and {name} differ in more than their head")
            print("\n" + differences(study[name], other))
    with_tau = [s for s in bank + batch if s[0]["spec"]["loss"] in ("infonce", "hard") and len(s[1]) > 1
                and s[0]["spec"].get("projection_head") == "mlp-bn"]
    print("\n#### Trends in τ (least squares on log10 τ over every trial)\n")
    print(trends(with_tau))
    print("\nThe same over τ ≥ 0.3 only (a range chosen after seeing the curves: exploratory):\n")
    print(trends(with_tau, from_tau=0.3))
    for name in ("fmnist-infonce-bank", "fmnist-hard-bank"):
        if name in study:
            print("\n" + peak(*study[name]))
    table1_studies = ("fmnist-infonce-bank", "fmnist-hard-bank", "fmnist-simple-bank", "fmnist-hard-simple-bank")
    if all(n in study for n in table1_studies):
        print("\nThe bank's means in the layout of the paper's Table 1 (test linear accuracy %):\n")
        print(table1(*(study[n] for n in table1_studies)))
    if "fmnist-hard-simple-bank" in study and "fmnist-simple-bank" in study:
        (rh, hs), (rs, s) = study["fmnist-hard-simple-bank"], study["fmnist-simple-bank"]
        n, mean, low, high, p = paired(hs[None], s[None], "linear_accuracy")
        print(f"\n{label(rh)} − {label(rs)}: Δ linear acc. (test) {mean * 100:+.2f} points [{low * 100:+.2f}, {high * 100:+.2f}], "
              f"n = {n} paired seeds, p = {p:.3g}")
    if "fmnist-hard-bank-long" in study and "fmnist-hard-bank" in study:
        (rl, long), (r10, ten) = study["fmnist-hard-bank-long"], study["fmnist-hard-bank"]
        cells = [difference_cell(*paired(long[0.07], ten[0.07], metric), scale=scale, digits=digits)
                 for metric, scale, digits in (("linear_accuracy", 100, 2), ("uniformity", 1, 2), ("tolerance", 1, 3))]
        print(f"\n{label(rl)} − {label(r10)}, τ = 0.07, paired over seeds: Δ linear acc. (test, points) {cells[0]}; "
              f"Δ uniformity {cells[1]}; Δ tolerance {cells[2]}")


if __name__ == "__main__":
    main(sys.argv[1])
