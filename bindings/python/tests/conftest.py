import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "bindings" / "python"
# The tests exercise this checkout's package, not whichever copy is installed: here, and in the
# Python processes they start (Tests/python's hostile-file worker imports `autoencoder` too).
sys.path.insert(0, str(PACKAGE))
os.environ["PYTHONPATH"] = os.pathsep.join([str(PACKAGE)] + [p for p in [os.environ.get("PYTHONPATH")] if p])
os.environ.setdefault("AUTOENCODER_LIBRARY", str(ROOT / ".build-lib" / "release" / "libautoencoder.so"))
os.environ.setdefault("AE_BINARY", str(ROOT / ".build" / "release" / "ae"))
