"""Both sides of the anomaly bench in one run (issue 13's one-class Fashion-MNIST protocol):
per class, our models (ours.py) and the references (reference.py), swapping which side goes
first from one class to the next so drifting machine load hits both alike. Prints one table
(mean AUROC, worst class, train seconds per class) and the AUROC per class; writes JSON.

Usage: python run.py [--classes 0-9] [--seed 1] [--models dense,conv,vae,conv64] [--scores loss,excess,mse,code,neighbours,combined]
                     [--epochs 20] [--json FILE]"""
import argparse
import os
import platform
import subprocess
import tempfile
import time

import ours
import protocol
import reference


def cpu_name():
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--classes", default="0-9")
    parser.add_argument("--seed", type=int, default=1, help="seed of every model, ours and PyOD's (default 1)")
    parser.add_argument("--json", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "results",
                                                       "anomaly.json"))
    ours.arguments(parser)
    args = parser.parse_args()
    ours.SEED = reference.SEED = args.seed
    models, scores = ours.checked(args)
    loads = [os.getloadavg()[0]]
    started = time.time()
    results = []
    with reference.one_thread(), tempfile.TemporaryDirectory() as folder:
        data = protocol.load()
        for index, normal_class in enumerate(protocol.parse_classes(args.classes)):
            sides = [lambda: ours.run_class(normal_class, data, folder, models, scores, args.epochs),
                     lambda: reference.run_class(normal_class, data)]
            for side in (sides if index % 2 == 0 else sides[::-1]):
                mine = side()
                results += mine
                print(f"class {normal_class}: " + ", ".join(f"{r['method']} {r['auroc']:.3f}" for r in mine), flush=True)
            loads.append(os.getloadavg()[0])
    minutes = (time.time() - started) / 60
    print(f"\nOne-class Fashion-MNIST, {len(set(r['class'] for r in results))} classes; ours: {args.epochs} epochs, "
          f"seed {args.seed}, --threads 1, scores from ae score --score; "
          f"references on 1 thread. CPU: {cpu_name()} ({os.cpu_count()} cores); "
          f"load average {min(loads):.1f}-{max(loads):.1f}; {minutes:.0f} minutes.\n")
    print(protocol.markdown(results))
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    protocol.write_json(args.json, {"cpu": cpu_name(), "load_average": loads, "minutes": minutes, "ae": ours.AE,
                                    "epochs": args.epochs, "seed": args.seed, "versions": reference.versions(),
                                    "summary": protocol.summary(results), "results": results})
    print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
