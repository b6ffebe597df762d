"""The README's Conditions and Threads examples run as written, in order, and print what their comments say."""
import os
import pathlib
import re
import subprocess
import sys


ROOT = pathlib.Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "bindings" / "python"
README = PACKAGE / "README.md"
SECTIONS = ("Conditions", "Threads")


def blocks(section):
    """The (language, code) blocks of a `## section` of the README, in order."""
    text = README.read_text()
    start = text.index(f"\n## {section}\n")
    end = text.find("\n## ", start + 1)
    body = text[start:end if end >= 0 else len(text)]
    return re.findall(r"```(sh|python)\n(.*?)```", body, re.S)


def expected_output(code):
    """What the block's comments promise it prints: `print(...)  # text`, or `# text` on the line after a print."""
    lines, promised = code.splitlines(), []
    for i, line in enumerate(lines):
        if "print(" not in line:
            continue
        inline = re.search(r"\)\s+# (.+)$", line)
        if inline:
            promised.append(inline.group(1).strip())
        elif i + 1 < len(lines) and lines[i + 1].strip().startswith("# "):
            promised.append(lines[i + 1].strip()[2:])
    return promised


def test_the_readme_has_the_examples():
    for section in SECTIONS:
        assert any(language == "python" for language, _ in blocks(section)), section


def test_the_conditions_and_threads_examples_run(tmp_path):
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([os.path.dirname(env["AE_BINARY"]), os.path.dirname(sys.executable), env["PATH"]])
    env["PYTHONPATH"] = str(PACKAGE)
    (tmp_path / "bindings").symlink_to(ROOT / "bindings")  # "from the checkout's root"
    for section in SECTIONS:
        for number, (language, code) in enumerate(blocks(section)):
            command = ["bash", "-euo", "pipefail", "-c", code] if language == "sh" else [sys.executable, "-c", code]
            done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
            where = f"README {section}, block {number} ({language})"
            assert done.returncode == 0, f"{where}:\n{code}\n{done.stdout}\n{done.stderr}"
            for promise in expected_output(code):
                assert promise in done.stdout.splitlines(), f"{where}: expected {promise!r} in\n{done.stdout}"
