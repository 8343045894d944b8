"""How well a trial's validation kNN accuracy after r epochs ranks the trials by their final objective (validation
linear accuracy after all epochs): what ASHA's first rung decides on. Read from the committed raw results (one folder
per preset: results.json and trials/<id>/metrics.jsonl, and those of its further seeds' study if any); printed as the
markdown table of docs/EXPERIMENTS.md."""
import json
import pathlib
import sys

from scipy import stats

from bank_tables import parts

RUNGS = (1, 2, 3, 5, 9)  # ASHA's default rungs for 10 epochs are 1, 3 and 9


def studies(root):
    for folder in sorted(pathlib.Path(root).iterdir()):
        found = parts(folder)  # a preset's study and its further seeds, if any
        results = found[0][1]
        every = [(part, t) for part, r in found for t in r["trials"]]
        trials = [(part, t) for part, t in every if t["status"] == "completed"]
        if len(trials) < len(every) or len(trials) < 6:
            continue  # a study with collapsed or failed trials ranks nothing at its end
        rows = []
        for part, t in trials:
            epochs = [json.loads(line) for line in (part / "trials" / t["trial_id"] / "metrics.jsonl").read_text().splitlines()]
            knn = {e["epoch"]: e["val_knn_accuracy"] for e in epochs}
            rows.append((t["tau"], knn, t["metrics"]["val_linear_accuracy"]))
        yield folder.name, results["spec"]["epochs"], rows


def main(root):
    print("| study | trials | epochs | " + " | ".join(f"ρ at epoch {r}" for r in RUNGS) + " | ρ at the last epoch | final best in the top third at epoch 1 |")
    print("|---|---|---|" + "---|" * len(RUNGS) + "---|---|")
    for name, epochs, rows in studies(root):
        final = [objective for _, _, objective in rows]
        cells = []
        for r in RUNGS:
            if r >= epochs:
                cells.append("-")
                continue
            rho, p = stats.spearmanr([knn[r] for _, knn, _ in rows], final)
            cells.append(f"{rho:+.2f} (p {p:.2g})")
        rho, p = stats.spearmanr([knn[epochs] for _, knn, _ in rows], final)
        cells.append(f"{rho:+.2f} (p {p:.2g})")
        third = sorted(range(len(rows)), key=lambda i: -rows[i][1][1])[: max(1, len(rows) // 3)]
        best = max(range(len(rows)), key=lambda i: final[i])
        kept = "yes" if best in third else f"no (its rank {sorted(range(len(rows)), key=lambda i: -rows[i][1][1]).index(best) + 1} of {len(rows)})"
        print(f"| {name} | {len(rows)} | {epochs} | " + " | ".join(cells) + f" | {kept} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/results/bank")
