"""`make report`: the generated blocks of the README and of the book's pages (book/*.md): the
claims inventory and verdicts, per-section results, runtime and campaign tables, rebuilt from
the committed result tables (results/claims_*.csv, results/runtimes.csv) and figures, never
typed by hand. `make book` renders the same blocks into the site."""

from __future__ import annotations

import functools
import json
import re
import sys
from pathlib import Path

import pandas as pd

from alnb import notebooks, paper_claims, results, scales
from alnb.experiments import ROOT
from alnb.paper_claims import INTERPRETATION, SETTING
from alnb.sections import SECTIONS
from alnb.stats import verdict_kind

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
        out += [f"## {nb} · {title} ({where}; scale {_scale(frame)})", ""]
        out += [f"![{png.stem}](../figures/{png.name})"
                for png in sorted(figures.glob(f"{nb}_*.png"))]
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


def environments(where=RESULTS) -> str:
    """Which environments computed the cached results: one line per (lock file, jax, platform),
    from the tables' sidecars."""
    counts: dict[str, int] = {}
    for side in sorted((where / "cache").glob("*.json")):
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


SECTION_NAMES = {"S": "Section", "A": "Appendix A."}


def _section(claim_id: str) -> str:
    """'S3.margin-early' -> 'Section 3', 'A2.timing' -> 'Appendix A.2'."""
    head = claim_id.split(".")[0]
    return f"{SECTION_NAMES.get(head[0], head[0])}{' ' * (head[0] == 'S')}{head[1:]}"


VERDICT_ORDER = ("holds", "holds in some", "mixed", "contradicted", "inconclusive",
                 "not tested", "check", "counted in another notebook", "measured")


@functools.cache
def _notebook(nb: str) -> tuple[str, list[tuple[str, str]]]:
    """Notebook `nb`'s file name, and (title, anchor) of each of its level-2 headings,
    anchored as the book and GitHub anchor them; read once per process."""
    from myst_parser.slugs import github_slugify

    path = next(notebooks.NOTEBOOKS.glob(f"{nb}_*.ipynb"))
    cells = json.loads(path.read_text())["cells"]
    lines = [line for c in cells if c["cell_type"] == "markdown"
             for line in "".join(c["source"]).splitlines()]
    return path.name, [(t[3:], github_slugify(t[3:])) for t in lines if t.startswith("## ")]


def _figure_ref(paper: str) -> tuple[str, str] | None:
    """The first figure a row's `paper` cell names, as ('10', 'a') for 'Fig. 10a, A.3'."""
    m = re.search(r"Fig\. (\d+)([a-d]?)", str(paper))
    return (m.group(1), m.group(2)) if m else None


def _where(nb: str, paper: str, figures: Path) -> str:
    """Links to the notebook section and the figure that judge a row: the section whose
    heading names the row's first figure, else the notebook's claims section."""
    (name, heads), ref = _notebook(nb), _figure_ref(paper)
    section = next((a for t, a in heads if ref and re.search(rf"Fig\. {ref[0]}(?!\d)", t)),
                   next((a for t, a in heads if t.startswith("Claims")), heads[-1][1]))
    links = [f"[notebook {nb}](../notebooks/{name}#{section})"]
    if ref:
        pngs = sorted(figures.glob(f"{nb}_fig{ref[0]}*.png"))
        exact = [p for p in pngs if re.match(rf"{nb}_fig{ref[0]}{ref[1]}(?!\d)", p.name)]
        pngs = exact or [p for p in pngs if re.match(rf"{nb}_fig{ref[0]}(?!\d)", p.name)]
        links += [f"[figure](../figures/{p.name})" for p in pngs[:1]]
    return ", ".join(links)


def _ours(row) -> str:
    return "; ".join(str(row.measured).split("; ")[:3]) if isinstance(row.measured, str) \
        else "–"


def statements(results=RESULTS, figures=ROOT / "figures") -> str:
    """Every statement of the inventory, by paper section: its kind, what the paper says and
    its number, the verdicts of the rows that judge it (linked to the notebook section and
    figure) and our first numbers."""
    rows = _rows(results)
    out, current = [], None
    for c in paper_claims.CLAIMS:
        if _section(c.id) != current:
            current = _section(c.id)
            out += ["", f"### {current}", "",
                    "| id | where | the paper says | kind | the paper's number | judged by | "
                    "ours (the row's first sub-claims) |", "|---|---|---|---|---|---|---|"]
        mine = rows[rows.id == c.id]
        judged = "<br>".join(f"**{r.verdict}**: {_cell(r.claim)}{_differs(r)} "
                             f"({_where(r.notebook, r.paper, figures)})"
                             for r in mine.itertuples())
        if not judged:
            judged = (f"no run can test it: {_cell(c.why)}" if c.kind == INTERPRETATION
                      else "a setting: see [Methods](methods.md)" if c.kind == SETTING
                      else "**no row**")
        ours = _cell(_ours(mine.iloc[0])) if len(mine) else "–"
        out.append(f'| <span class="claim-id" id="{c.id}">{c.id}</span> | {c.where} | '
                   f"{_cell(c.quote)} | {c.kind} | {_cell(c.number) or '–'} | {judged} | "
                   f"{ours} |")
    return "\n".join(out).strip()


def by_verdict(results=RESULTS) -> str:
    """The statements grouped by the verdicts of the rows that judge them (a statement judged
    by two rows can stand under two verdicts), and the untestable ones by kind."""
    rows = _rows(results)
    groups: dict[str, list[str]] = {}
    for c in paper_claims.CLAIMS:
        kinds = {verdict_kind(v) for v in rows[rows.id == c.id].verdict} or {
            {INTERPRETATION: "interpretation (no run can test it)",
             SETTING: "setting"}.get(c.kind, "no row")}
        for k in kinds:
            groups.setdefault(k, []).append(c.id)
    order = [*VERDICT_ORDER, "interpretation (no run can test it)", "setting", "no row"]
    lines = ["| verdict | statements | which |", "|---|---|---|"]
    for k in sorted(groups, key=order.index):
        lines.append(f"| {k} | {len(groups[k])} | "
                     + ", ".join(f'<a href="#{i}">{i}</a>' for i in groups[k]) + " |")
    return "\n".join(lines)


def summary(results=RESULTS) -> str:
    """Per notebook, how many claims rows have each verdict (the front page's summary)."""
    counts = {nb: pd.Series([verdict_kind(v) for v in f.verdict]).value_counts()
              for nb, f in _claims(results)}
    kinds = [k for k in VERDICT_ORDER if any(k in c for c in counts.values())]
    lines = ["| notebook | paper | rows | " + " | ".join(kinds) + " |",
             "|---|---|---|" + "---|" * len(kinds)]
    for nb, c in counts.items():
        lines.append(f"| {nb} | {TITLES.get(nb, ('', ''))[1]} | {int(c.sum())} | "
                     + " | ".join(str(int(c.get(k, 0))) for k in kinds) + " |")
    total = pd.concat(counts.values()).groupby(level=0).sum()
    lines.append("| all | | " + f"{int(total.sum())} | "
                 + " | ".join(str(int(total.get(k, 0))) for k in kinds) + " |")
    return "\n".join(lines)


def seed_count_table(results=RESULTS) -> str:
    """Per claims row on at least 10 seeds (results/seed_counts_NN_SCALE.csv, written by the
    notebooks through alnb.seed_counts): how often its verdict from 5 and from 3 seeds agrees
    with the one at all seeds, how often it takes the opposite side, and the seeds for 80%
    power of its inconclusive sub-claims."""
    lines = ["| notebook | claim | verdict at all seeds | agrees at 5 seeds | agrees at 3 seeds | "
             "opposite side at 5 / 3 | seeds for 80% power |", "|---|---|---|---|---|---|---|"]
    for path in sorted(results.glob("seed_counts_*_study.csv")):
        nb = path.stem.split("_")[2]
        for r in pd.read_csv(path, dtype={"seeds": str}).itertuples():
            share = {k: f"{getattr(r, f'agree_{k}'):.0%} [{getattr(r, f'agree_low_{k}'):.0%}, "
                        f"{getattr(r, f'agree_high_{k}'):.0%}]" for k in (3, 5)}
            lines.append(f"| {nb} | {_cell(r.claim)} | **{r.verdict}** ({r.seeds} seeds) | "
                         f"{share[5]} | {share[3]} | {r.opposite_5:.0%} / {r.opposite_3:.0%} | "
                         f"{r.power_seeds} |")
    if len(lines) == 2:
        return "(no claims row is judged on 10 or more seeds yet)"
    return "\n".join(lines)


BLOCKS = {"coverage": coverage, "summary": summary, "statements": statements,
          "by-verdict": by_verdict, "claims": claims_table, "results": results_sections,
          "environments": environments, "scales": scale_comparison, "shown": scale_status,
          "campaign": campaign_table, "runtimes": runtime_table, "seed-counts": seed_count_table}
NEEDS_FIGURES = {"statements", "results"}


def render(text: str, results=RESULTS, figures=ROOT / "figures") -> str:
    """`text` with each generated block it holds rewritten from `results` (claims tables,
    runtimes, the cache) and `figures`."""
    for name, body in BLOCKS.items():
        if f"<!-- {name}:begin -->" in text:
            text = fill(text, name, body(results, figures) if name in NEEDS_FIGURES
                        else body(results))
    return text


PAGES = (ROOT / "README.md", *sorted((ROOT / "book").glob("*.md")))


def main() -> int:
    for page in PAGES:
        page.write_text(render(page.read_text()))
    print(f"updated the generated blocks of {', '.join(p.name for p in PAGES)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
