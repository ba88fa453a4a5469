"""Starts the notebook kernel N times in a row and executes one trivial cell in each.

Each start is what `jupyter nbconvert --execute` does (nbclient: launch the kernel, wait for
kernel_info, execute, shut down). Prints one line per start and the failure count; exits 1 if any
start failed. Each kernel's stderr goes to LOG_DIR/start-<i>.log.

    JUPYTER_PATH=target/notebooks/jupyter /usr/bin/python3 kernel_starts.py 20 LOG_DIR
"""
import atexit
import pathlib
import sys
import time

import nbformat
from nbclient import NotebookClient


def start_once(kernel, startup_timeout, log):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1+1")])
    client = NotebookClient(nb, kernel_name=kernel, startup_timeout=startup_timeout, timeout=120)
    try:
        client.execute(stderr=log)
    finally:
        # nbclient has stopped the kernel; its exit hook would stop it again and fail.
        atexit.unregister(client._cleanup_kernel)
    data = [o.get("data", {}) for o in nb.cells[0].outputs]
    if [d.get("text/plain", d.get("text/html", "")).strip() for d in data] != ["2"]:
        raise RuntimeError(f"1+1 gave {nb.cells[0].outputs!r}")


def main(starts, log_dir, kernel="inferlake-java", startup_timeout=60):
    log_dir = pathlib.Path(log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    failures = 0
    for i in range(1, starts + 1):
        began = time.monotonic()
        with open(log_dir / f"start-{i}.log", "w") as log:
            try:
                start_once(kernel, startup_timeout, log)
                outcome = "ok"
            except Exception as e:  # a failed start is what is being counted
                failures += 1
                outcome = f"FAILED {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
        print(f"start {i}: {outcome} ({time.monotonic() - began:.1f} s)", flush=True)
    print(f"{failures} of {starts} starts failed", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]), sys.argv[2], *sys.argv[3:4], *map(int, sys.argv[4:5])))
