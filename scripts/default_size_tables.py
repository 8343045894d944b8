"""The default study at each size tried (docs/PERFORMANCE.md, issue 25), from the results.json of each run: uniformity
and tolerance per τ, whether each is monotone in τ, and its least-squares slope per decade of τ with a 95% interval and
p over the six τ (one seed each, so the trend is the only test). A smaller default must keep this trend at least as
clearly as the 2-epoch study it would replace.
"""
import sys
from pathlib import Path

from bank_tables import load, slope


def size(spec):
    precision = "" if spec.get("precision", "fp32") == "fp32" else f", {spec['precision']}"
    return f"{spec['epochs']} epoch{'s' if spec['epochs'] != 1 else ''}, batch {spec['batch_size']}, lr {spec['lr']:g}{precision}"


def monotone(xs, rising):
    return all((b > a) if rising else (b < a) for a, b in zip(xs, xs[1:]))


def main(folders):
    # The first folder is the default it would replace; the rest in name order, whatever the shell's collation.
    runs = [load(Path(f)) for f in folders[:1] + sorted(f.rstrip('/') for f in folders[1:])]
    taus = sorted(runs[0][1])
    print("| size | metric | " + " | ".join(f"τ = {t:g}" for t in taus) + " | monotone | slope per decade [95% CI] | p |")
    print("|---|---|" + "---|" * len(taus) + "---|---|---|")
    for results, by_tau in runs:
        for metric, rising in (("uniformity", False), ("tolerance", True), ("val_linear_accuracy", None)):
            xs = [next(iter(by_tau[t].values()))["metrics"][metric] for t in taus]
            n, s, low, high, p = slope(by_tau, metric)
            shape = "-" if rising is None else ("yes" if monotone(xs, rising) else "no")
            print(f"| {size(results['spec'])} | {metric} | " + " | ".join(f"{x:.3f}" for x in xs)
                  + f" | {shape} | {s:+.3f} [{low:+.3f}, {high:+.3f}] | {p:.3g} |")


if __name__ == "__main__":
    main(sys.argv[1:])
