"""`make book`: the study as a static site, built with Sphinx and myst-nb (the engine of
Jupyter Book) into build/book/html. Its pages are the six notebooks executed at the study
scale from the committed cache (nothing trains: a missing table fails the build), and the
pages of book/ with their generated blocks filled from the claims those runs wrote.

python -m alnb.book [--out build/book]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path
from unittest import mock

from alnb import notebooks, report
from alnb.experiments import ROOT

PAGES = ROOT / "book"


def stage(src: Path, results_dir: Path) -> None:
    """Lay out the site's sources as the repository lays them out (book/, notebooks/,
    figures/), so the pages' relative links work on GitHub and in the site alike; the
    executed notebooks write their figures and claims here, never to figures/ or results/."""
    shutil.rmtree(src, ignore_errors=True)
    shutil.rmtree(results_dir, ignore_errors=True)
    shutil.copytree(PAGES, src / "book")
    shutil.move(src / "book" / "conf.py", src / "conf.py")
    results_dir.mkdir(parents=True)
    for table in (ROOT / "results").glob("*.csv"):  # the other scales' claims, the runtimes
        shutil.copy(table, results_dir)
    (results_dir / "cache").symlink_to(ROOT / "results" / "cache")


def execute(src: Path, results_dir: Path) -> None:
    """Each notebook at the study scale, reading only the cache."""
    parameters = {"scale": "study", "figures_dir": str(src / "figures"),
                  "results_dir": str(results_dir)}
    for nb in notebooks.notebooks():
        t = time.perf_counter()
        with mock.patch.dict(os.environ, {"ALNB_CACHE_ONLY": "1"}):  # the kernel inherits it
            notebooks.execute(nb, parameters, src / "notebooks")
        print(f"{nb.name}: executed in {time.perf_counter() - t:.0f} s", flush=True)


def fill(src: Path, results_dir: Path) -> None:
    """The pages' generated blocks from the claims the executed notebooks wrote."""
    for page in (src / "book").glob("*.md"):
        page.write_text(report.render(page.read_text(), results_dir, src / "figures"))


def sphinx(src: Path, html: Path) -> None:
    from sphinx.cmd.build import build_main

    shutil.rmtree(html, ignore_errors=True)
    # -W: a broken reference or a missing image fails the build; -q: only warnings print.
    if build_main(["-b", "html", "-q", "-W", "--keep-going", str(src), str(html)]):
        raise SystemExit(f"sphinx-build failed on {src}; its warnings are above.")
    (html / "index.html").write_text(
        '<!doctype html><meta charset="utf-8"><title>alnb</title>'
        '<meta http-equiv="refresh" content="0; url=book/index.html">'
        '<a href="book/index.html">alnb: the study</a>\n')


def build(out: Path = ROOT / "build" / "book") -> Path:
    """The whole site; returns its html folder."""
    src, results_dir, html = out / "src", out / "results", out / "html"
    t = time.perf_counter()
    stage(src, results_dir)
    execute(src, results_dir)
    fill(src, results_dir)
    sphinx(src, html)
    pages = len(list(html.rglob("*.html")))
    print(f"book: {pages} html files in {html} ({time.perf_counter() - t:.0f} s)")
    return html


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "book")
    build(ap.parse_args(argv).out.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
