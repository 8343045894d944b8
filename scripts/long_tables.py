"""The 30-epoch infonce grid of docs/EXPERIMENTS.md §1 ("How long it takes for the peak to appear"; scripts/long-tables),
from the raw results of that study and of §1's 10-epoch grid, which share data, model and seeds 1-5: means over seeds;
the best τ of each probe against the others; 30 − 10 epochs at each τ; per epoch, which τ leads the validation kNN
accuracy. Differences are paired over seeds and Holm-corrected where one question is asked of several τ at once.
"""
import json
import sys
from pathlib import Path

from bank_tables import differences, load, paired_rows, peak, per_tau_table, tau_label, trends

PROBES = ("val_linear_accuracy", "linear_accuracy", "knn_accuracy", "val_knn_accuracy")


def per_epoch(folder, results):
    """Validation kNN accuracy by τ, then epoch, then seed (a resumed trial's last record of an epoch counts)."""
    curves = {}
    for trial in results["trials"]:
        path = folder / "trials" / trial["trial_id"] / "metrics.jsonl"
        for line in path.read_text().splitlines():
            record = json.loads(line)
            curves.setdefault(trial["tau"], {}).setdefault(record["epoch"], {})[trial["seed"]] = record["val_knn_accuracy"]
    return curves


def leaders(curves):
    """The epochs and, for each, the mean over seeds by τ and the τ of the highest mean."""
    taus = sorted(curves)
    epochs = sorted(set.intersection(*(set(curves[t]) for t in taus)))
    means = {e: {t: sum(curves[t][e].values()) / len(curves[t][e]) for t in taus} for e in epochs}
    return taus, epochs, means, {e: max(means[e], key=means[e].get) for e in epochs}


def epoch_table(curves):
    taus, epochs, means, lead = leaders(curves)
    shown = [e for e in epochs if e == 1 or e % 3 == 0 or e == epochs[-1]]
    lines = ["| epoch | " + " | ".join(f"τ = {tau_label(t)}" for t in taus) + " | leads |", "|" + "---|" * (len(taus) + 2)]
    lines += [f"| {e} | " + " | ".join(f"{means[e][t]:.4f}" for t in taus) + f" | {tau_label(lead[e])} |" for e in shown]
    smallest = taus[0]
    last = max((e for e in epochs if lead[e] == smallest), default=None)
    counts = {t: sum(1 for e in epochs if lead[e] == t) for t in taus}
    lines.append("")
    if counts[smallest] == len(epochs):
        ending = f"τ = {tau_label(smallest)} leads at every epoch."
    elif last:
        ending = f"τ = {tau_label(smallest)} leads for the last time at epoch {last}."
    else:
        ending = f"τ = {tau_label(smallest)} never leads."
    lines.append(f"Epochs led, of {len(epochs)}: " + ", ".join(f"τ = {tau_label(t)} {counts[t]}" for t in taus if counts[t]) + ". " + ending)
    return "\n".join(lines)


def main(long_folder, ten_folder):
    long_folder = Path(long_folder)
    long, ten = load(long_folder), load(Path(ten_folder))
    print("#### 30 and 10 epochs: mean ± sd over seeds\n")
    print(per_tau_table([long, ten]))
    print("\n#### Trends in τ after 30 epochs (least squares on log10 τ over every trial)\n")
    print(trends([long]))
    print("\n#### After 30 epochs, the best τ of each probe against the others (paired over seeds, Holm over the τ)")
    for probe in PROBES:
        print("\n" + peak(*long, metric=probe))
    print("\n#### 30 − 10 epochs at each τ\n")
    print(differences(long, ten))
    rows = [(tau_label(t), long[1][t], ten[1][t]) for t in sorted(long[1]) if t in ten[1]]
    print("\n| 30 − 10 epochs | n | Δ kNN acc. (test, points) | Holm p |\n|---|---|---|---|")
    print("\n".join(paired_rows(rows, "knn_accuracy")))
    print("\n#### Validation kNN accuracy per epoch (mean over seeds) and the τ that leads\n")
    print(epoch_table(per_epoch(long_folder, long[0])))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
