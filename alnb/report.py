"""`make report`: the README's claims summary, per-section results and runtime tables, rebuilt
from the committed result tables (results/claims_*.csv, results/runtimes.csv) and figures,
never typed by hand."""

from __future__ import annotations

import re
import sys

import pandas as pd

from alnb.experiments import ROOT

RESULTS = ROOT / "results"
SECTIONS = {"01": ("Training modes and query strategies", "Sec. 3, A.1-A.4"),
            "02": ("Informativeness as a label-free signal", "Sec. 4"),
            "03": ("Unlabeled data arriving in splits", "Sec. 5"),
            "04": ("Random start", "Sec. 6, A.5, A.6"),
            "05": ("GPLA: gradual pseudo-labeling", "Sec. 7, A.7")}


def _claims(results):
    for path in sorted(results.glob("claims_*.csv")):
        yield path.stem.split("_")[1], pd.read_csv(path)


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _scale(frame) -> str:
    if "scale" not in frame:
        return "?"
    return f"{frame.scale.iloc[0]}, {frame.seeds.iloc[0]} seeds"


def claims_table(results=RESULTS) -> str:
    """Every claim of every notebook, with its verdict, as one markdown table."""
    lines = ["| notebook | claim | paper | verdict | scale |", "|---|---|---|---|---|"]
    for nb, frame in _claims(results):
        for r in frame.itertuples():
            lines.append(f"| {nb} | {_cell(r.claim)} | {r.paper} | **{r.verdict}** | "
                         f"{_scale(frame)} |")
    return "\n".join(lines)


def results_sections(results=RESULTS, figures=ROOT / "figures") -> str:
    """Per notebook: its figures and its claims with the measured numbers."""
    out = []
    for nb, frame in _claims(results):
        title, where = SECTIONS.get(nb, (nb, ""))
        out += [f"### {nb} · {title} ({where}; scale {_scale(frame)})", ""]
        out += [f"![{png.stem}](figures/{png.name})" for png in sorted(figures.glob(f"{nb}_*.png"))]
        out += ["", "| claim | paper | measured (mean [95% CI]) | verdict |", "|---|---|---|---|"]
        out += [f"| {_cell(r.claim)} | {r.paper} | {_cell(r.measured)} | **{r.verdict}** |"
                for r in frame.itertuples()]
        out.append("")
    return "\n".join(out).rstrip()


def runtime_table(results=RESULTS) -> str:
    """Measured seconds per notebook and scale (written by `python -m alnb.notebooks`)."""
    path = results / "runtimes.csv"
    if not path.exists():
        return "(no runtimes recorded yet: run `make smoke` and `make figures`)"
    t = pd.read_csv(path).pivot(index="notebook", columns="scale", values="seconds")
    cols = [c for c in ("smoke", "quick", "paper") if c in t]
    lines = ["| notebook | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]
    for nb, r in t.iterrows():
        cells = [f"{r[c]:.0f} s" if r[c] < 120 else f"{r[c] / 60:.1f} min" if pd.notna(r[c])
                 else "–" for c in cols]
        lines.append(f"| `{nb}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def fill(text: str, name: str, body: str) -> str:
    """Replace what lies between <!-- name:begin --> and <!-- name:end --> in text."""
    pattern = re.compile(rf"(<!-- {name}:begin -->\n).*?(<!-- {name}:end -->)", re.S)
    if not pattern.search(text):
        raise SystemExit(f"README.md has no <!-- {name}:begin --> ... <!-- {name}:end --> block.")
    return pattern.sub(lambda m: m.group(1) + body + "\n" + m.group(2), text)


def main() -> int:
    readme = ROOT / "README.md"
    text = fill(readme.read_text(), "claims", claims_table())
    text = fill(text, "results", results_sections())
    readme.write_text(fill(text, "runtimes", runtime_table()))
    print(f"updated the claims, results and runtime tables in {readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
