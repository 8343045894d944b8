"""docs/EXPERIMENTS.md §2's tables, from the raw results scripts/search-comparison committed (DIR/<method>-rep<k>/ and
DIR/retrain-tau<τ>/). Every difference it states carries n, a 95% interval and a test (scipy). --picks DIR prints the
τ the repetitions picked, one a line, for the retraining."""
import json
import math
import pathlib
import re
import sys

from scipy import stats

from bank_tables import holm

METHODS = ["grid", "random", "random-asha", "adaptive", "adaptive-asha"]
NAMES = {"grid": "grid (6 τ)", "random": "random", "random-asha": "random + ASHA", "adaptive": "adaptive (GP-EI)",
         "adaptive-asha": "adaptive + ASHA"}


def load(folder):
    return json.loads((folder / "results.json").read_text())


def repetitions(root, method):
    found = {}
    for folder in sorted(root.glob(f"{method}-rep*")):
        if re.fullmatch(rf"{method}-rep\d+", folder.name) and (folder / "results.json").exists():
            found[int(folder.name.rsplit("rep", 1)[1])] = load(folder)
    return found


def tau_text(tau):
    return format(tau, "g")


def picks(root, rep=None):
    return sorted({tau_text(r["best"]["tau"]) for m in METHODS for k, r in repetitions(root, m).items()
                   if r.get("best") and (rep is None or k == rep)}, key=float)


def interval(values):
    n = len(values)
    mean = sum(values) / n
    if n < 2:
        return mean, float("nan"), float("nan")
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    return mean, sd, stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)


def cell(values, scale=100, digits=2):
    if not values:
        return "-"
    mean, sd, half = interval(values)
    if len(values) < 2:
        return f"{mean * scale:.{digits}f}"
    return f"{mean * scale:.{digits}f} ± {sd * scale:.{digits}f} [{(mean - half) * scale:.{digits}f}, {(mean + half) * scale:.{digits}f}]"


def completed(results):
    return [t for t in results["trials"] if t["status"] == "completed"]


def epochs_to(results, target):
    """Epochs of every trial proposed up to and including the first completed one at or above the target (proposal
    order: the trial index), or None when none reaches it."""
    spent = 0
    for t in sorted(results["trials"], key=lambda t: t["trial_id"]):
        spent += t["epochs_completed"]
        if t["status"] == "completed" and t["metrics"]["val_linear_accuracy"] >= target:
            return spent
    return None


def random_order_epochs(results, target):
    """The grid's epochs to the target had it tried its τ in a random order: with k of its n trials (of e epochs each)
    at or above the target, the first of them comes at position (n + 1) / (k + 1) on average. The grid here tries
    τ from the smallest up, and the smallest is the best, so its own order is the luckiest there is."""
    trials = results["trials"]
    hits = [t for t in trials if t["status"] == "completed" and t["metrics"]["val_linear_accuracy"] >= target]
    if not hits:
        return None
    epochs = sum(t["epochs_completed"] for t in trials) / len(trials)
    return epochs * (len(trials) + 1) / (len(hits) + 1)


def main(root):
    runs = {m: repetitions(root, m) for m in METHODS}
    grid = runs["grid"]
    by_tau = {}
    for r in grid.values():
        for t in completed(r):
            by_tau.setdefault(t["tau"], []).append(t["metrics"]["val_linear_accuracy"])
    grid_tau, grid_values = max(by_tau.items(), key=lambda kv: sum(kv[1]) / len(kv[1]))
    target = sum(grid_values) / len(grid_values) - 0.005
    retrained = {}
    for folder in root.glob("retrain-tau*"):
        if re.fullmatch(r"retrain-tau[0-9.e-]+", folder.name) and (folder / "results.json").exists():
            r = load(folder)
            retrained[tau_text(r["trials"][0]["tau"])] = [t["metrics"]["linear_accuracy"] for t in completed(r)]
    spec = next(iter(grid.values()))["spec"]
    print(f"Best grid τ by its mean over the {len(grid_values)} grid repetitions: τ = {tau_text(grid_tau)}, validation linear "
          f"accuracy {100 * target + 0.5:.2f}%; the target is 0.5 points below it, {100 * target:.2f}%. Data: "
          f"{spec['subset']:,} training images, {spec['epochs']} epochs a trial, τ ∈ [0.02, 2].")
    print()
    print("| search | repetitions | best validation accuracy (%) | epochs trained | epochs to the target (reps that reach it) | τ picked | test accuracy of the pick, retrained on seeds 101–103 (%) |")
    print("|---|---|---|---|---|---|---|")
    test_by_rep = {}
    for m in METHODS:
        reps = runs[m]
        if not reps:
            continue
        best = [r["best"]["value"] for r in reps.values() if r.get("best")]
        spent = [sum(t["epochs_completed"] for t in r["trials"]) for r in reps.values()]
        reached = [e for e in (epochs_to(r, target) for r in reps.values()) if e is not None]
        chosen = [tau_text(r["best"]["tau"]) for r in reps.values() if r.get("best")]
        tests = {k: sum(retrained[tau_text(r["best"]["tau"])]) / len(retrained[tau_text(r["best"]["tau"])])
                 for k, r in reps.items() if r.get("best") and tau_text(r["best"]["tau"]) in retrained}
        test_by_rep[m] = tests
        reach = f"{sum(reached) / len(reached):.1f} ({len(reached)} of {len(reps)})" if reached else f"never (0 of {len(reps)})"
        print(f"| {NAMES[m]} | {len(reps)} | {cell(best)} | {sum(spent) / len(spent):.1f} | {reach} | {', '.join(chosen)} | "
              f"{cell(list(tests.values())) if len(tests) == len(reps) else cell(list(tests.values())) + f' ({len(tests)} of {len(reps)} retrained)'} |")
        if m == "grid":
            expected = [e for e in (random_order_epochs(r, target) for r in reps.values()) if e is not None]
            print(f"| grid, in a random order (expected) | {len(reps)} | - | {sum(spent) / len(spent):.1f} | "
                  f"{sum(expected) / len(expected):.1f} ({len(expected)} of {len(reps)}) | - | - |")
    print()
    print("Against the grid, the retrained test accuracy of the τ each search picked, paired by repetition (the same "
          "search seed), two-sided paired t-tests, Holm-corrected over the four searches:")
    print()
    print("| search | pairs | difference to the grid (points) | 95% interval | p | Holm p |")
    print("|---|---|---|---|---|---|")
    rows = []
    for m in METHODS[1:]:
        shared = sorted(set(test_by_rep.get(m, {})) & set(test_by_rep.get("grid", {})))
        diffs = [test_by_rep[m][k] - test_by_rep["grid"][k] for k in shared]
        if len(diffs) < 2:
            rows.append((m, len(diffs), None, None, None))
            continue
        mean, sd, half = interval(diffs)
        p = 1.0 if sd == 0 and mean == 0 else (0.0 if sd == 0 else stats.ttest_rel([test_by_rep[m][k] for k in shared],
                                                                                    [test_by_rep["grid"][k] for k in shared]).pvalue)
        rows.append((m, len(diffs), mean, half, p))
    adjusted = holm([r[4] for r in rows if r[4] is not None])
    it = iter(adjusted)
    for m, n, mean, half, p in rows:
        if p is None:
            print(f"| {NAMES[m]} | {n} | - | - | - | - |")
        else:
            print(f"| {NAMES[m]} | {n} | {100 * mean:+.2f} | [{100 * (mean - half):+.2f}, {100 * (mean + half):+.2f}] | {p:.2g} | {next(it):.2g} |")


if __name__ == "__main__":
    if sys.argv[1] == "--picks":
        print("\n".join(picks(pathlib.Path(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else None)))
    else:
        main(pathlib.Path(sys.argv[1]))
