import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "bindings" / "python"
# The tests exercise this checkout's package, not whichever copy is installed.
sys.path.insert(0, str(PACKAGE))
os.environ.setdefault("AUTOENCODER_LIBRARY", str(ROOT / ".build-lib" / "release" / "libautoencoder.so"))
os.environ.setdefault("AE_BINARY", str(ROOT / ".build" / "release" / "ae"))
