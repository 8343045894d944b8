"""The cosine τ schedules of docs/EXPERIMENTS.md §3 (scripts/schedule-tables), from the results.json of the schedule
study and of §1's constant-τ infonce grid, which share data, model, budget and seeds 1-5: each schedule's means over
seeds; each schedule against the best constant τ, and against the constant τ at each end of its range, paired over
seeds and Holm-corrected over the schedules.
"""
import sys
from pathlib import Path

from bank_tables import METRICS, difference_table, load, mean, paired_rows, summary_cells, tau_label, values


def name(tau_range):
    return f"cosine {tau_range[0]:g}–{tau_range[1]:g}"


def means_table(by_range):
    lines = ["| schedule (period 2 epochs) | n | " + " | ".join(n for n, _ in METRICS) + " | collapsed |",
             "|" + "---|" * (len(METRICS) + 3)]
    lines += [f"| {name(tau_range)} | {summary_cells(by_range[tau_range])} |" for tau_range in sorted(by_range)]
    return "\n".join(lines)


def main(schedule_folder, constant_folder):
    _, by_range = load(Path(schedule_folder), key=lambda trial: (trial["tau"], trial["tau_max"]))
    _, constant = load(Path(constant_folder))
    ranges = sorted(r for r in by_range if values(by_range[r], "linear_accuracy"))
    print("#### Cosine τ schedules: mean ± sd over seeds\n")
    print(means_table(by_range))
    best = max(constant, key=lambda tau: mean(constant[tau], "val_linear_accuracy"))
    print(f"\n#### Each schedule − the best constant τ ({tau_label(best)}, by §1's validation objective), paired over seeds, Holm over the schedules\n")
    print("| schedule − constant τ = " + tau_label(best) + " | n | Δ val objective (points) | Holm p |\n|---|---|---|---|")
    against_best = [(name(r), by_range[r], constant[best]) for r in ranges]
    print("\n".join(paired_rows(against_best, "val_linear_accuracy")))
    print()
    print(difference_table("schedule − constant τ = " + tau_label(best), against_best))
    for end, index in (("τ−", 0), ("τ+", 1)):
        rows = [(name(r), by_range[r], constant[r[index]]) for r in ranges if r[index] in constant]
        print(f"\n#### Each schedule − the constant τ at its {'lower' if index == 0 else 'upper'} end ({end}), paired over seeds, Holm over the schedules\n")
        print(difference_table(f"schedule − constant {end}", rows))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
