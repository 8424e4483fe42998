"""Execute the study's notebooks headlessly with papermill (make figures, make smoke, CI).

python -m alnb.notebooks [--scale study] [--params notebooks/smoke.yml] [--only 01]
                         [-p seeds 5 ...]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

import yaml

from alnb.experiments import ROOT
from alnb.scales import SCALES

NOTEBOOKS = ROOT / "notebooks"


def ipc_kernel_manager():
    """A kernel manager whose kernel talks over IPC sockets in a private temporary folder,
    so a headless run opens no TCP port (and prints no 'running over TCP' warning)."""
    from jupyter_client.manager import KernelManager

    class IPCKernelManager(KernelManager):
        def __init__(self, **kw):
            self._folder = tempfile.mkdtemp(prefix="alnb-kernel-")
            super().__init__(**{"transport": "ipc", "ip": f"{self._folder}/kernel", **kw})

        def cleanup_resources(self, restart=False):
            super().cleanup_resources(restart)
            if not restart:
                shutil.rmtree(self._folder, ignore_errors=True)

    return IPCKernelManager


class NotebookFailed(RuntimeError):
    """A cell of a notebook raised; the message names the notebook and the cell."""


def notebooks(only: str | None = None) -> list[Path]:
    found = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if only:
        found = [nb for nb in found if nb.name.startswith(only)]
        if not found:
            raise SystemExit(f"No notebook starts with {only!r} in {NOTEBOOKS}.")
    return found


def execute(nb: Path, parameters: dict, out_dir: Path = ROOT / "build",
            use_log: Path | None = None) -> Path:
    """Run `nb` with `parameters` into out_dir; raise NotebookFailed naming the failing cell.
    With `use_log`, the kernel notes there each cached table it computed or read."""
    import papermill

    declared = papermill.inspect_notebook(str(nb))
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise NotebookFailed(f"{nb.name} has no parameter {', '.join(map(repr, unknown))}; it "
                             f"takes {', '.join(declared)}.")
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / nb.name
    env = {"ALNB_USE_LOG": str(use_log)} if use_log else {}
    if parameters.get("scale") == "smoke":
        # Smoke runs are tiny and compile-bound: LLVM -O0 takes a notebook from 60 s to 40 s.
        flags = os.environ.get("XLA_FLAGS", "")
        env["XLA_FLAGS"] = f"{flags} --xla_backend_optimization_level=0".strip()
    try:
        with mock.patch.dict(os.environ, env):  # the kernel inherits this environment
            papermill.execute_notebook(str(nb), str(out), parameters=parameters,
                                       cwd=str(NOTEBOOKS), kernel_name="python3",
                                       progress_bar=False,
                                       kernel_manager_class=ipc_kernel_manager())
    except papermill.PapermillExecutionError as e:
        raise NotebookFailed(f"{nb.name}: cell {e.exec_count} failed with {e.ename}: "
                             f"{e.evalue}\n(executed copy with the traceback: {out})") from None
    return out


def record_runtime(notebook: str, scale: str, seconds: float, resumed: bool = False,
                   path: Path = ROOT / "results" / "runtimes.csv") -> None:
    """Keep the latest measured runtime of each (notebook, scale) for the README. A resumed
    run (some tables were cached before) is kept only where no complete run is, and is
    marked as such."""
    import pandas as pd

    from alnb.results import write_atomic
    from alnb.runner import holding

    with holding(path.with_name(path.name + ".lock")):  # other runs may record at once
        old = pd.read_csv(path) if path.exists() else pd.DataFrame(
            columns=["notebook", "scale", "seconds", "resumed"])
        old = old.assign(resumed=old.get("resumed", False)).fillna({"resumed": False})
        same = (old.notebook == notebook) & (old.scale == scale)
        if resumed and (same & ~old.resumed.astype(bool)).any():
            return
        new = pd.DataFrame([{"notebook": notebook, "scale": scale, "seconds": round(seconds),
                             "resumed": resumed}])
        write_atomic(pd.concat([old[~same], new]).sort_values(["notebook", "scale"]), path)


def outputs(parameters: dict) -> dict:
    """Only the study scale, the committed evidence, writes to figures/ (and, with quick and
    paper, its claims tables and cache to results/, under names that carry the scale); the
    other scales' figures go to build/<scale>/figures, and smoke's tables to build/ too, so
    a preview never overwrites the committed figures."""
    scale = parameters["scale"]
    out = dict(parameters)
    if scale != "study":
        out.setdefault("figures_dir", f"../build/{scale}/figures")
    if scale == "smoke":
        out.setdefault("results_dir", "../build/smoke/results")
    return out


def parameter_value(text: str):
    """A -p value read as YAML, as papermill's -p does, except that an empty one stays ""
    (YAML reads it as None, which a notebook would see as the string 'None')."""
    return yaml.safe_load(text) if text.strip() else text


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scale", default="study", choices=list(SCALES))
    ap.add_argument("--params", help="a YAML file of notebook parameters (e.g. smoke.yml)")
    ap.add_argument("--only", help="run only the notebooks whose name starts with this")
    ap.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                    metavar=("NAME", "VALUE"), help="one notebook parameter, as papermill's -p")
    args = ap.parse_args(argv)
    parameters = {"scale": args.scale}
    if args.params:
        parameters.update(yaml.safe_load(Path(args.params).read_text()) or {})
    parameters.update({k: parameter_value(v) for k, v in args.parameter})
    parameters = outputs(parameters)
    total = time.perf_counter()
    for nb in notebooks(args.only):
        t = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            log = Path(tmp) / "uses"
            try:
                execute(nb, parameters, use_log=log)
            except NotebookFailed as e:
                print(f"FAILED {e}", file=sys.stderr)
                return 1
            uses = [line.split() for line in log.read_text().splitlines()] if log.exists() else []
        seconds = time.perf_counter() - t
        computed = {name for how, name in uses if how == "computed"}
        read = {name for how, name in uses if how == "cached"} - computed
        print(f"{nb.name}: {seconds:.0f} s at scale {parameters['scale']} ({len(computed)} "
              f"tables computed, {len(read)} read from the cache)", flush=True)
        # A re-plot is not a runtime (nor one that only re-judged the claims on seed subsets),
        # a resumed run only a marked one, and a smoke run (CI's, not the study's) none.
        trained = {name for name in computed if not name.startswith("seed-counts-")}
        if parameters["scale"] != "smoke" and trained:
            record_runtime(nb.stem, parameters["scale"], seconds, resumed=bool(read))
    print(f"all notebooks: {time.perf_counter() - total:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
