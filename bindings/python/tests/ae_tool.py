"""The `ae` command-line tool for the binding's tests: they train their models with it."""
import os
import subprocess

AE = os.environ["AE_BINARY"]


def run(*args):
    """Run `ae ARGS...` and return the finished process (text output captured)."""
    return subprocess.run([AE, *map(str, args)], capture_output=True, text=True)


def ae(*args):
    """Run `ae ARGS...`, raising if it fails."""
    subprocess.run([AE, *map(str, args)], check=True, capture_output=True)
