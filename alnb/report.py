"""`make report`: the README's claims summary, per-section results and runtime tables, rebuilt
from the committed result tables (results/claims_*.csv, results/runtimes.csv) and figures,
never typed by hand."""

from __future__ import annotations

import json
import re
import sys

import pandas as pd

from alnb import notebooks, paper_claims, results, scales
from alnb.experiments import ROOT
from alnb.sections import SECTIONS

RESULTS = ROOT / "results"
TITLES = {"01": ("Training modes and query strategies", "Sec. 3, A.1-A.4"),
            "02": ("Informativeness as a label-free signal", "Sec. 4"),
            "03": ("Unlabeled data arriving in splits", "Sec. 5"),
            "04": ("Random start", "Sec. 6, A.5, A.6"),
            "05": ("GPLA: gradual pseudo-labeling", "Sec. 7, A.7"),
            "06": ("Beyond the paper: BALD, BADGE and Core-Set against Margin", "new")}


# The scale whose claims the README shows, most evidential first.
EVIDENCE = ("paper", "study", "quick", "smoke")


def _by_scale(results) -> dict[str, dict[str, pd.DataFrame]]:
    """{notebook: {scale: claims table}} from results/claims_NN_SCALE.csv."""
    out: dict[str, dict[str, pd.DataFrame]] = {}
    for path in sorted(results.glob("claims_*.csv")):
        nb, _, scale = path.stem.removeprefix("claims_").partition("_")
        out.setdefault(nb, {})[scale or "?"] = pd.read_csv(path)
    return out


def _claims(results):
    """Each notebook's claims at its most evidential scale."""
    for nb, tables in _by_scale(results).items():
        yield nb, tables[min(tables, key=lambda s: EVIDENCE.index(s) if s in EVIDENCE else 9)]


def scale_comparison(results=RESULTS) -> str:
    """Each claim's quick-scale verdict beside its study-scale one, for notebooks with both."""
    lines = ["| notebook | claim | quick | study |", "|---|---|---|---|"]
    for nb, tables in _by_scale(results).items():
        if {"quick", "study"} <= set(tables):
            quick = dict(zip(tables["quick"].claim, tables["quick"].verdict, strict=True))
            for r in tables["study"].itertuples():
                lines.append(f"| {nb} | {_cell(r.claim)} | {quick.get(r.claim, '–')} | "
                             f"**{r.verdict}** ({_scale(tables['study'], r)}) |")
    return "\n".join(lines) if len(lines) > 2 else "(no notebook has study-scale claims yet)"


def _differs(r) -> str:
    differs = getattr(r, "differs", "")
    return f" (*differs from the paper:* {_cell(differs)})" if isinstance(differs, str) and \
        differs else ""


def _cell(text) -> str:
    if isinstance(text, float) and text != text:  # an empty CSV cell (a row with no numbers)
        return "–"
    return str(text).replace("|", "\\|").replace("\n", " ")


def _scale(frame, r=None) -> str:
    """The scale and seeds of a notebook's claims (its most common seeds), or of one row `r`
    with where its runs stop."""
    if "scale" not in frame:
        return "?"
    note = " (preview: cannot test early-round claims)" * (frame.scale.iloc[0] == "quick")
    if r is None:
        return f"{frame.scale.iloc[0]}, {frame.seeds.astype(str).mode()[0]} seeds{note}"
    stop = getattr(r, "runs_to", "")
    stop = f", runs to {stop}" if isinstance(stop, str) and stop else ""
    return f"{frame.scale.iloc[0]}, {r.seeds} seeds{stop}{note}"


def _counts(r) -> str:
    return f"{r.supported} ({r.unadjusted} before Holm)" if r.counted else "–"


def claims_table(results=RESULTS) -> str:
    """Every claim of every notebook, with its verdict, as one markdown table, and how many
    comparisons each notebook's family holds."""
    lines = ["| notebook | claim | paper | verdict | sub-claims supported after Holm | scale |",
             "|---|---|---|---|---|---|"]
    families = []
    for nb, frame in _claims(results):
        for r in frame.itertuples():
            lines.append(f"| {nb} | {_cell(r.claim)} | {r.paper} | **{r.verdict}** | "
                         f"{_counts(r)} | {_scale(frame, r)} |")
        families.append(f"{nb}: {int(frame.comparisons.iloc[0])}")
    lines += ["", "Comparisons per notebook (the family Holm's method adjusts over): "
              + ", ".join(families) + "."]
    return "\n".join(lines)


def scale_status(results=RESULTS) -> str:
    """Which notebooks' claims the README shows at which scale."""
    shown: dict[str, list[str]] = {}
    for nb, frame in _claims(results):
        shown.setdefault(frame.scale.iloc[0] if "scale" in frame else "?", []).append(nb)
    return " ".join(f"At the {s} scale: {', '.join(nbs)}." for s, nbs in
                    sorted(shown.items(), key=lambda x: EVIDENCE.index(x[0])
                           if x[0] in EVIDENCE else 9))


def results_sections(results=RESULTS, figures=ROOT / "figures") -> str:
    """Per notebook: its figures and its claims with the measured numbers."""
    out = []
    for nb, frame in _claims(results):
        title, where = TITLES.get(nb, (nb, ""))
        out += [f"### {nb} · {title} ({where}; scale {_scale(frame)})", ""]
        out += [f"![{png.stem}](figures/{png.name})" for png in sorted(figures.glob(f"{nb}_*.png"))]
        out += ["", "| claim | paper | measured: estimate [interval] (seeds, label) | verdict |",
                "|---|---|---|---|"]
        out += [f"| {_cell(r.claim)}{_differs(r)} | {r.paper} | {_cell(r.measured)} | "
                f"**{r.verdict}** |" for r in frame.itertuples()]
        out.append("")
    return "\n".join(out).rstrip()


def estimates(scale: str = "paper") -> dict[str, float]:
    """Seconds each notebook would take at `scale` on the 2-core CPU, from each section's
    cost model (calibrated on the quick-scale runtimes, see alnb.experiments)."""
    sc, both = scales.scale(scale), ["mnist", "fashion_mnist"]
    return {nb.stem: SECTIONS[nb.stem[:2]].cost(sc, [*both, "cifar10"] if nb.stem[:2] == "02"
                                                else both) for nb in notebooks.notebooks()}


def _duration(seconds) -> str:
    if pd.isna(seconds):
        return "–"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= 2 * size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.0f} s"


def runtime_table(results=RESULTS) -> str:
    """Measured seconds per notebook and scale (written by `python -m alnb.notebooks`), and
    the estimate at paper scale."""
    path = results / "runtimes.csv"
    if not path.exists():
        return "(no runtimes recorded yet: run `make smoke` and `make figures`)"
    raw = pd.read_csv(path)
    resumed = raw.get("resumed", pd.Series(False, index=raw.index)).fillna(False).astype(bool)
    cell = raw.seconds.map(_duration) + resumed.map({True: " (resumed)", False: ""})
    t = raw.assign(cell=cell).pivot(index="notebook", columns="scale", values="cell")
    cols = [c for c in ("smoke", "quick", "study", "paper") if c in t]
    quick, paper = estimates("quick"), estimates("paper")
    measured = raw[(raw.scale == "quick") & ~resumed].set_index("notebook").seconds
    lines = ["| notebook | " + " | ".join(f"{c}, measured" for c in cols)
             + " | quick, predicted (error) | paper, estimated |",
             "|---|" + "---|" * (len(cols) + 2)]
    for nb, r in t.iterrows():
        error = (f" ({quick[nb] / measured[nb] - 1:+.0%})" if nb in measured and nb in quick
                 else "")
        cells = [r[c] if isinstance(r[c], str) else "–" for c in cols] + [
            _duration(quick.get(nb)) + error, _duration(paper.get(nb))]
        lines.append(f"| `{nb}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def environments(cache=RESULTS / "cache") -> str:
    """Which environments computed the cached results: one line per (lock file, jax, platform),
    from the tables' sidecars."""
    counts: dict[str, int] = {}
    for side in sorted(cache.glob("*.json")):
        made = json.loads(side.read_text()).get("provenance")
        key = ("not recorded (computed before alnb recorded provenance, by the commits before "
               "this lock file)") if not made else (
            f"lock `{made['lock']}`, jax {made['versions']['jax']}, numpy "
            f"{made['versions']['numpy']}, {made['platform']}, XLA_FLAGS "
            f"`{made['xla_flags'] or '(none)'}`")
        counts[key] = counts.get(key, 0) + 1
    current = results.provenance()["lock"]
    lines = [f"- {n} cached tables: {key}" for key, n in counts.items()]
    return "\n".join(lines + [f"- this checkout's lock file: `{current}`"])


def campaign_table(results=RESULTS, scale: str = "study") -> str:
    """Per notebook, the campaign's compute so far (results/campaign_<scale>.csv) beside the
    cost model's estimate of the same jobs."""
    path = results / f"campaign_{scale}.csv"
    if not path.exists():
        return f"(no {scale} campaign jobs finished yet)"
    t = pd.read_csv(path, dtype={"notebook": str}).drop_duplicates("job", keep="last")
    lines = [f"| notebook | {scale} jobs finished | compute spent | cost model for them | "
             "measured / model |", "|---|---|---|---|---|"]
    for nb, g in t.groupby("notebook"):
        lines.append(f"| {nb} | {len(g)} | {_duration(g.seconds.sum())} | "
                     f"{_duration(g.estimate_s.sum())} | "
                     f"{g.seconds.sum() / g.estimate_s.sum():.2f} |")
    return "\n".join(lines)


def fill(text: str, name: str, body: str) -> str:
    """Replace what lies between <!-- name:begin --> and <!-- name:end --> in text."""
    pattern = re.compile(rf"(<!-- {name}:begin -->\n).*?(<!-- {name}:end -->)", re.S)
    if not pattern.search(text):
        raise SystemExit(f"README.md has no <!-- {name}:begin --> ... <!-- {name}:end --> block.")
    return pattern.sub(lambda m: m.group(1) + body + "\n" + m.group(2), text)


def _rows(results=RESULTS) -> pd.DataFrame:
    """Every claims row at its notebook's most evidential scale, one per (row, inventory id)."""
    frames = [f.assign(notebook=nb) for nb, f in _claims(results)]
    rows = pd.concat(frames, ignore_index=True)
    rows["ids"] = rows.get("ids", pd.Series("", index=rows.index)).fillna("").str.split(";")
    rows["differs"] = rows.get("differs", pd.Series("", index=rows.index)).fillna("")
    return rows.explode("ids").rename(columns={"ids": "id"})


def _status(rows: pd.DataFrame) -> str:
    """How a statement's rows judge it: as stated, through a stated proxy, or not tested."""
    judged = rows[~rows.verdict.str.startswith("not tested")]
    if not len(judged):
        return "not tested here"
    return "as stated" if (judged.differs == "").any() else "by a stated proxy"


def coverage(results=RESULTS) -> str:
    """How much of the paper the claims tables cover, from the inventory and the rows' ids."""
    rows = _rows(results)
    kinds = pd.Series([c.kind for c in paper_claims.CLAIMS])
    status = pd.Series([_status(rows[rows.id == c.id]) if (rows.id == c.id).any() else "no row"
                        for c in paper_claims.CLAIMS if c.kind == paper_claims.RESULT])
    counts = status.value_counts()
    untested = counts.get("not tested here", 0)
    return (f"The inventory (`alnb/paper_claims.py`) lists **{len(kinds)} statements** of the "
            f"paper: {int((kinds == paper_claims.RESULT).sum())} results, "
            f"{int((kinds == paper_claims.INTERPRETATION).sum())} interpretations no run here "
            f"can test, and {int((kinds == paper_claims.SETTING).sum())} settings. Of the "
            f"results, **{counts.get('as stated', 0)} are judged as the paper states them**, "
            f"{counts.get('by a stated proxy', 0)} through a stated proxy (the row says what "
            f"differs and why), and {untested} {'is' if untested == 1 else 'are'} not tested "
            f"here (the row says what {'it waits' if untested == 1 else 'they wait'} for)"
            + (f"; {counts['no row']} have no row" if "no row" in counts else "") + ".")


def inventory_table(results=RESULTS) -> str:
    """Every statement of the inventory with its kind, the paper's number, and the verdicts of
    the rows that judge it."""
    rows = _rows(results)
    lines = ["| id | where | the paper says | kind | judged by (notebook: verdict) | how |",
             "|---|---|---|---|---|---|"]
    numbers = ["| id | the paper's number | ours (the judging row's first sub-claims) | "
               "verdict |", "|---|---|---|---|"]
    for c in paper_claims.CLAIMS:
        mine = rows[rows.id == c.id]
        judged = "; ".join(f"{r.notebook}: **{r.verdict}** ({_cell(r.claim)})"
                           for r in mine.itertuples()) or ("–" if c.kind != "result" else
                                                           "no row")
        how = _status(mine) if len(mine) else (c.why if c.kind == "interpretation" else "")
        lines.append(f"| {c.id} | {c.where} | {_cell(c.quote)} | {c.kind} | {judged} | "
                     f"{_cell(how)} |")
        if c.number and len(mine):
            first = mine.iloc[0]
            ours = "; ".join(str(first.measured).split("; ")[:3]) if isinstance(
                first.measured, str) else "–"
            numbers.append(f"| {c.id} | {c.number} | {_cell(ours)} | **{first.verdict}** |")
    return "\n".join(lines + ["", "The numbers the paper gives, beside ours (a row compares "
                               "them where its claim names the number, e.g. 78% -> 88% within "
                               "±0.02; else only the direction):", ""] + numbers)


def render(text: str) -> str:
    """The README text with every generated block rewritten from the committed results."""
    for name, body in (("coverage", coverage), ("inventory", inventory_table),
                       ("claims", claims_table), ("results", results_sections),
                       ("environments", environments), ("scales", scale_comparison),
                       ("shown", scale_status), ("campaign", campaign_table),
                       ("runtimes", runtime_table)):
        text = fill(text, name, body())
    return text


def main() -> int:
    readme = ROOT / "README.md"
    readme.write_text(render(readme.read_text()))
    print(f"updated the claims, results and runtime tables in {readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
