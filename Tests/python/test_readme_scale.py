"""The README's "Past one machine, and other ecosystems" examples run as written, in order, in an
empty folder, and print what their comments say (the Spark block only where Java is)."""
import os
import pathlib
import re
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
SECTION = "Past one machine, and other ecosystems"


def blocks():
    text = README.read_text()
    start = text.index(f"\n## {SECTION}\n")
    end = text.find("\n## ", start + 1)
    return re.findall(r"```(sh|python)\n(.*?)```", text[start:end], re.S)


def promised(code):
    """`print(...)  # text` on one line, or `# text` on the line after a print."""
    lines, found = code.splitlines(), []
    for i, line in enumerate(lines):
        if "print(" not in line:
            continue
        inline = re.search(r"\)\s+# (.+)$", line)
        if inline:
            found.append(inline.group(1).strip())
        elif i + 1 < len(lines) and lines[i + 1].startswith("# "):
            found.append(lines[i + 1][2:].strip())
    return found


def test_the_examples_run(tmp_path):
    ae = os.environ.get("AE_BINARY", str(ROOT / ".build" / "release" / "ae"))
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([os.path.dirname(ae), os.path.dirname(sys.executable), env["PATH"]])
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "bindings" / "python")] + [p for p in [env.get("PYTHONPATH")] if p])
    found = blocks()
    assert len(found) >= 6
    for number, (language, code) in enumerate(found):
        if "pyspark" in code and shutil.which("java") is None:
            continue  # Spark runs on Java
        command = ["bash", "-euo", "pipefail", "-c", code] if language == "sh" else [sys.executable, "-c", code]
        done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
        where = f"README block {number} ({language})"
        assert done.returncode == 0, f"{where}:\n{code}\n{done.stdout}\n{done.stderr}"
        for promise in promised(code):
            assert any(promise in line for line in done.stdout.splitlines()), f"{where}: expected {promise!r} in\n{done.stdout}"
    assert (tmp_path / "synthetic").is_dir() and (tmp_path / "imported.h5").exists()
