"""Synthetic tables side by side: `ae augment fit/sample` against SDV 2.x's TVAESynthesizer and
GaussianCopulaSynthesizer (defaults, metadata detected from the train table), same tables, same
machine, same run.

Each synthetic table (as many rows as the train split) is scored against the real train split
with sdmetrics' QualityReport, and by train-synthetic-test-real: scikit-learn's
HistGradientBoosting learner fitted on the synthetic rows, scored on the real test split (and
fitted on the real train split for the ceiling). Timings: ours is the whole `ae` process, wall
clock; SDV's is `synthesizer.fit` / `synthesizer.sample` inside this process (no start-up).
The machine is shared, so the sides alternate seed by seed and the table quotes medians.

Markdown goes to stdout, progress to stderr, everything as JSON to WORK/results.json; SDV's runs
also to WORK/sdv_runs.json, which `--reuse-sdv` reads instead of running SDV again.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import accuracy_score, f1_score, r2_score
from threadpoolctl import threadpool_limits

import data

LEARNER_SEED = 0
SDV_SYNTHESIZERS = ("TVAE", "GaussianCopula")
METRIC_LABELS = {"f1": "F1", "accuracy": "acc", "r2": "R²"}


def log(message):
    print(message, file=sys.stderr, flush=True)


def machine():
    model = "unknown"
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": model, "cores": os.cpu_count(), "load": os.getloadavg()}


# --- scoring -----------------------------------------------------------------------------------

def encode(frame, real_categories):
    """HGB's input: the real table's text columns as pandas categories over the categories seen in
    the real train and test splits (a synthetic value outside them becomes missing), every other
    column as numbers (a synthetic value that is not one becomes missing)."""
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        if column in real_categories:
            out[column] = pd.Categorical(frame[column], categories=real_categories[column])
        else:
            out[column] = pd.to_numeric(frame[column], errors="coerce")
    return out


def target_scores(fit_frame, test, targets, real_categories):
    # One OpenMP thread: on a loaded machine HGB's two spinning threads took minutes, not seconds.
    with threadpool_limits(1):
        return {f"{t.column}_{t.metric}": target_score(fit_frame, test, t, real_categories) for t in targets}


def target_score(fit_frame, test, target, real_categories):
    train_rows = fit_frame.dropna(subset=[target.column])
    test_rows = test.dropna(subset=[target.column])
    x_train = encode(train_rows.drop(columns=[target.column]), real_categories)
    x_test = encode(test_rows.drop(columns=[target.column]), real_categories)
    if target.metric == "r2":
        learner = HistGradientBoostingRegressor(random_state=LEARNER_SEED, categorical_features="from_dtype")
        learner.fit(x_train, pd.to_numeric(train_rows[target.column], errors="coerce"))
        score = r2_score(test_rows[target.column], learner.predict(x_test))
    else:
        learner = HistGradientBoostingClassifier(random_state=LEARNER_SEED, categorical_features="from_dtype")
        learner.fit(x_train, train_rows[target.column].astype(str))
        predicted = learner.predict(x_test)
        truth = test_rows[target.column].astype(str)
        score = f1_score(truth, predicted, average="macro") if target.metric == "f1" else accuracy_score(truth, predicted)
    return float(score)


def quality(real, synthetic, table_metadata):
    from sdmetrics.reports.single_table import QualityReport
    report = QualityReport()
    report.generate(real, synthetic, table_metadata, verbose=False)
    properties = report.get_properties().set_index("Property")["Score"]
    return {
        "quality": float(report.get_score()),
        "shapes": float(properties["Column Shapes"]),
        "pair_trends": float(properties["Column Pair Trends"]),
    }


class Scorer:
    """Everything fixed per table: the real splits, the detected metadata, the categories."""

    def __init__(self, table):
        from sdv.metadata import Metadata
        self.table = table
        self.train = pd.read_csv(table.train_csv)
        self.test = pd.read_csv(table.test_csv)
        self.metadata = Metadata.detect_from_dataframes({table.name: self.train})
        self.table_metadata = self.metadata.to_dict()["tables"][table.name]
        both = pd.concat([self.train, self.test])
        self.categories = {
            column: sorted(both[column].dropna().astype(str).unique())
            for column in self.train.columns if self.train[column].dtype == object
        }

    def score(self, synthetic_csv):
        synthetic = pd.read_csv(synthetic_csv)
        missing = [c for c in self.train.columns if c not in synthetic.columns]
        if missing:
            raise SystemExit(f"error: {synthetic_csv} lacks the columns {missing}; the synthesizer must write every column of the train table.")
        synthetic = synthetic[list(self.train.columns)]
        scores = quality(self.train, synthetic, self.table_metadata)
        scores["targets"] = target_scores(synthetic, self.test, self.table.targets, self.categories)
        return scores

    def ceiling(self):
        return target_scores(self.train, self.test, self.table.targets, self.categories)


# --- the synthesizers ---------------------------------------------------------------------------

def run_ours(ae, table, seed, rows, folder):
    model = folder / f"ours-seed{seed}.h5"
    out = folder / f"ours-seed{seed}.csv"
    timings = []
    for command in (
        [ae, "augment", "fit", str(table.train_csv), "--out", str(model), "--seed", str(seed)],
        [ae, "augment", "sample", str(model), "--rows", str(rows), "--seed", str(seed), "--out", str(out)],
    ):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        timings.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"error: `{' '.join(command)}` exited {done.returncode}:\n{done.stderr.strip()}")
    return out, timings[0], timings[1]


def run_sdv(kind, scorer, seed, rows, folder):
    from sdv.single_table import GaussianCopulaSynthesizer, TVAESynthesizer
    # SDV takes no seed: seed the generators its fit draws from. Sampling is seeded by SDV itself.
    random.seed(seed)
    np.random.seed(seed)
    import torch
    torch.manual_seed(seed)
    if kind == "TVAE":
        synthesizer = TVAESynthesizer(scorer.metadata, enable_gpu=False)  # no GPU here; say so explicitly
    else:
        synthesizer = GaussianCopulaSynthesizer(scorer.metadata)
    start = time.perf_counter()
    synthesizer.fit({scorer.table.name: scorer.train})  # SDV 2 takes and returns {table name: frame}
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    synthetic = synthesizer.sample(num_rows=rows)[scorer.table.name]
    sample_s = time.perf_counter() - start
    out = folder / f"{kind}-seed{seed}.csv"
    synthetic.to_csv(out, index=False)
    return out, fit_s, sample_s


# --- the run ------------------------------------------------------------------------------------

def record_key(record):
    return (record["table"], record["synthesizer"], record["seed"])


def load_sdv_runs(path):
    if not path.exists():
        return {}
    return {record_key(r): r for r in json.loads(path.read_text())}


def save_sdv_runs(path, runs):
    path.write_text(json.dumps(sorted(runs.values(), key=record_key), indent=1))


def median(values):
    return statistics.median(values) if values else None


def summarize(records, ceilings):
    rows = []
    for table in dict.fromkeys(r["table"] for r in records):
        for synthesizer in ("ours", *SDV_SYNTHESIZERS):
            runs = [r for r in records if r["table"] == table and r["synthesizer"] == synthesizer]
            if not runs:
                continue
            rows.append({
                "table": table, "synthesizer": synthesizer, "seeds": [r["seed"] for r in runs],
                **{k: median([r[k] for r in runs]) for k in ("quality", "shapes", "pair_trends", "fit_s", "sample_s")},
                "targets": {k: median([r["targets"][k] for r in runs]) for k in runs[0]["targets"]},
            })
        rows.append({"table": table, "synthesizer": "real train (ceiling)", "targets": ceilings[table]})
    return rows


def format_targets(targets):
    parts = []
    for key, value in targets.items():
        column, metric = key.rsplit("_", 1)
        parts.append(f"{column} {METRIC_LABELS[metric]} {value:.3f}")
    return ", ".join(parts)


def cell(value, digits=3):
    return "" if value is None else f"{value:.{digits}f}"


def markdown(summary, records, facts):
    lines = [
        f"CPU: {facts['machine']['cpu']}, {facts['machine']['cores']} cores; load at start {facts['machine']['load'][0]:.1f}. "
        f"sdv {facts['sdv']}, sdmetrics {facts['sdmetrics']}, torch {facts['torch']} ({facts['torch_threads']} threads).",
        "Medians over the seeds. Ours: fit and sample are whole `ae` processes; SDV: `fit`/`sample` calls, no Python start-up.",
        "",
        "| table | synthesizer | quality | shapes | pair trends | target scores | fit s | sample s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in summary:
        lines.append(
            f"| {row['table']} | {row['synthesizer']} | {cell(row.get('quality'))} | {cell(row.get('shapes'))} | "
            f"{cell(row.get('pair_trends'))} | {format_targets(row['targets'])} | {cell(row.get('fit_s'), 1)} | "
            f"{cell(row.get('sample_s'), 2)} |")
    for table, ratio in facts["fit_ratios"].items():
        lines += ["", f"Fit-speed ratio on {table}: TVAE {ratio['tvae_s']:.1f} s / ours {ratio['ours_s']:.1f} s = {ratio['ratio']:.1f}x"
                  + ("" if ratio["same_run"] else " (TVAE from an earlier run: --reuse-sdv)")]
    lines += ["", "Per seed:", "",
              "| table | synthesizer | seed | quality | shapes | pair trends | target scores | fit s | sample s |",
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in records:
        lines.append(
            f"| {r['table']} | {r['synthesizer']} | {r['seed']} | {r['quality']:.3f} | {r['shapes']:.3f} | {r['pair_trends']:.3f} | "
            f"{format_targets(r['targets'])} | {r['fit_s']:.1f} | {r['sample_s']:.2f} |"
            + (" (earlier run)" if r.get("reused") else ""))
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tables", default="diamonds,penguins")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--tvae-seeds", type=int, default=None,
                        help="run TVAE on the first N seeds only (it takes minutes a fit); default: all")
    parser.add_argument("--skip-sdv", action="store_true", help="only our side")
    parser.add_argument("--skip-ours", action="store_true", help="only SDV's side")
    parser.add_argument("--reuse-sdv", action="store_true", help="take SDV's runs from WORK/sdv_runs.json where there")
    parser.add_argument("--ae", default=str(Path(__file__).resolve().parents[2] / ".build/release/ae"))
    parser.add_argument("--work", default=str(Path(__file__).resolve().parents[1] / "results" / "augment"))
    args = parser.parse_args()
    tables = [t for t in args.tables.split(",") if t]
    seeds = [int(s) for s in args.seeds.split(",") if s]
    tvae_seeds = seeds if args.tvae_seeds is None else seeds[:args.tvae_seeds]
    unknown = [t for t in tables if t not in data.TARGETS]
    if unknown:
        parser.error(f"unknown tables {unknown}: choose from {sorted(data.TARGETS)}")
    if not args.skip_ours and not os.access(args.ae, os.X_OK):
        parser.error(f"no ae binary at {args.ae}: build it (swift build -c release) or pass --ae PATH")
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", message="We strongly recommend saving the metadata")

    import sdmetrics, sdv, torch
    facts = {"machine": machine(), "sdv": sdv.__version__, "sdmetrics": sdmetrics.__version__,
             "torch": torch.__version__, "torch_threads": torch.get_num_threads(), "fit_ratios": {}}
    log(f"CPU: {facts['machine']['cpu']}, {facts['machine']['cores']} cores")
    sdv_path = work / "sdv_runs.json"
    sdv_runs = load_sdv_runs(sdv_path)
    records, ceilings = [], {}

    for name in tables:
        table = data.prepare(name, work)
        scorer = Scorer(table)
        rows = len(scorer.train)
        log(f"{name}: {rows} train rows, {len(scorer.test)} test rows; SDV's detected metadata:\n"
            + json.dumps(scorer.table_metadata, indent=1))
        ceilings[name] = scorer.ceiling()
        folder = work / name
        same_run_tvae = False
        for seed in seeds:
            # One seed of each side in turn, so the machine's drift lands on both.
            steps = [] if args.skip_ours else ["ours"]
            if not args.skip_sdv:
                steps += [k for k in SDV_SYNTHESIZERS if k != "TVAE" or seed in tvae_seeds]
            for synthesizer in steps:
                key = (name, synthesizer, seed)
                if synthesizer != "ours" and args.reuse_sdv and key in sdv_runs:
                    records.append({**sdv_runs[key], "reused": True})
                    continue
                log(f"{name} seed {seed}: {synthesizer} ...")
                if synthesizer == "ours":
                    out, fit_s, sample_s = run_ours(args.ae, table, seed, rows, folder)
                else:
                    out, fit_s, sample_s = run_sdv(synthesizer, scorer, seed, rows, folder)
                    same_run_tvae |= synthesizer == "TVAE"
                record = {"table": name, "synthesizer": synthesizer, "seed": seed,
                          "fit_s": fit_s, "sample_s": sample_s, **scorer.score(out)}
                log(f"  fit {fit_s:.1f} s, sample {sample_s:.2f} s, quality {record['quality']:.3f}, {format_targets(record['targets'])}")
                records.append(record)
                if synthesizer != "ours":
                    sdv_runs[key] = record
                    save_sdv_runs(sdv_path, sdv_runs)
        ours = [r["fit_s"] for r in records if r["table"] == name and r["synthesizer"] == "ours"]
        tvae = [r["fit_s"] for r in records if r["table"] == name and r["synthesizer"] == "TVAE"]
        if ours and tvae:
            facts["fit_ratios"][name] = {"tvae_s": median(tvae), "ours_s": median(ours),
                                         "ratio": median(tvae) / median(ours), "same_run": same_run_tvae}

    summary = summarize(records, ceilings)
    (work / "results.json").write_text(json.dumps({"facts": facts, "summary": summary, "runs": records}, indent=1))
    print(markdown(summary, records, facts))


if __name__ == "__main__":
    main()
