"""Optuna's side of bench/compare-optuna: the same three measurements as `study bench --runtime`, on Optuna.

  instant trials/s in memory   RandomSampler, an objective that returns at once (the runtime's own cost)
  instant trials/s with SQLite the same with storage="sqlite:///…" (Optuna's RDB storage)
  proposal latency             TPESampler: the time of study.ask() and the τ's suggest_float (where a define-by-run
                               sampler samples) once N trials are told, p50 and p99

Prints one JSON object. Usage: python3 bench/optuna_runtime.py [--trials N] [--sqlite-trials N] [--observations N]
"""
import argparse
import json
import math
import os
import statistics
import tempfile
import time

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)


def objective(trial):
    tau = trial.suggest_float("tau", 0.02, 2.0, log=True)
    return -math.log(tau / 0.3) ** 2


def trials_per_second(n, storage=None):
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.RandomSampler(seed=1), storage=storage)
    start = time.perf_counter()
    study.optimize(objective, n_trials=n)
    return n / (time.perf_counter() - start)


def ask_latencies_ms(observations, probes=50):
    """A TPE proposal (ask, then the suggestion where TPE samples) timed once `observations` trials are told."""
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=1))
    timings = []
    for i in range(observations + probes):
        start = time.perf_counter()
        trial = study.ask()
        trial.suggest_float("tau", 0.02, 2.0, log=True)
        elapsed = (time.perf_counter() - start) * 1000
        if i >= observations:
            timings.append(elapsed)
        study.tell(trial, objective(trial))
    timings.sort()
    return statistics.median(timings), timings[min(len(timings) - 1, math.ceil(0.99 * len(timings)) - 1)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=10000)
    parser.add_argument("--sqlite-trials", type=int, default=1000)
    parser.add_argument("--observations", type=int, default=1000)
    args = parser.parse_args()
    memory = trials_per_second(args.trials)
    with tempfile.TemporaryDirectory() as folder:
        sqlite = trials_per_second(args.sqlite_trials, f"sqlite:///{os.path.join(folder, 'optuna.db')}")
    p50, p99 = ask_latencies_ms(args.observations)
    print(json.dumps({
        "optuna": optuna.__version__, "memory_trials_per_second": round(memory, 1),
        "sqlite_trials_per_second": round(sqlite, 1), "tpe_observations": args.observations,
        "tpe_proposal_ms_p50": round(p50, 2), "tpe_proposal_ms_p99": round(p99, 2),
    }))


if __name__ == "__main__":
    main()
