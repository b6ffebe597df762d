import os
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[3]
os.environ.setdefault("AUTOENCODER_LIBRARY", str(ROOT / ".build-lib" / "release" / "libautoencoder.so"))
os.environ.setdefault("AE_BINARY", str(ROOT / ".build" / "release" / "ae"))
