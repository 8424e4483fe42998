import re

import pandas as pd
import pytest

from alnb import notebooks, paper_claims, report, stats


def test_claims_table_collects_every_claims_file(tmp_path):
    counts = {"supported": "1/2", "unadjusted": "2/2", "counted": True, "comparisons": 7}
    pd.DataFrame([{"claim": "M beats R", "paper": "Fig. 1", "measured": "x",
                   "verdict": "holds", **counts}]).to_csv(tmp_path / "claims_01_quick.csv",
                                                          index=False)
    pd.DataFrame([{"claim": "GPLA helps", "paper": "Fig. 7", "measured": "y",
                   "verdict": "mixed", **counts}]).to_csv(tmp_path / "claims_05_quick.csv",
                                                          index=False)
    table = report.claims_table(tmp_path)
    assert "| 01 | M beats R | Fig. 1 | **holds** | 1/2 (2/2 before Holm) | ? |" in table
    assert table.index("M beats R") < table.index("GPLA helps")
    assert "Comparisons per notebook (the family Holm's method adjusts over): 01: 7, 05: 7." \
        in table


def test_fill_replaces_only_the_marked_block():
    text = "a\n<!-- t:begin -->\nold\n<!-- t:end -->\nb"
    assert report.fill(text, "t", "new") == "a\n<!-- t:begin -->\nnew\n<!-- t:end -->\nb"
    with pytest.raises(SystemExit, match="no <!-- u:begin -->"):
        report.fill(text, "u", "new")


def test_runtimes_keep_the_latest_per_notebook_and_scale(tmp_path):
    path = tmp_path / "runtimes.csv"
    notebooks.record_runtime("01_x", "quick", 100.4, path=path)
    notebooks.record_runtime("01_x", "smoke", 9, path=path)
    notebooks.record_runtime("01_x", "quick", 200, path=path)
    notebooks.record_runtime("01_x", "quick", 50, resumed=True, path=path)  # kept out
    notebooks.record_runtime("02_x", "quick", 70, resumed=True, path=path)  # the only one
    t = pd.read_csv(path)
    assert sorted(zip(t.notebook, t.scale, t.seconds, t.resumed, strict=True)) == [
        ("01_x", "quick", 200, False), ("01_x", "smoke", 9, False), ("02_x", "quick", 70, True)]
    assert "| `01_x` | 9 s | 3.3 min | – |" in report.runtime_table(tmp_path)


def test_paper_estimates_cover_every_notebook():
    est = report.estimates("paper")
    assert set(est) == {nb.stem for nb in notebooks.notebooks()}
    assert all(v > 600 for v in est.values())  # paper scale is never a matter of minutes
    assert est["02_informativeness"] > 30 * 86400  # CNN1, 50 epochs, to exhaustion on a CPU


def test_cost_model_predicts_each_recorded_quick_runtime_within_15_percent():
    """The calibration target: every notebook's committed quick-scale runtime."""
    runs = pd.read_csv(report.RESULTS / "runtimes.csv")
    complete = ~runs.get("resumed", pd.Series(False, index=runs.index)).fillna(False).astype(bool)
    measured = runs[(runs.scale == "quick") & complete].set_index("notebook").seconds
    predicted = report.estimates("quick")
    assert {f"0{i}" for i in range(1, 6)} <= {nb[:2] for nb in measured.index}
    errors = {nb: predicted[nb] / measured[nb] - 1 for nb in measured.index}
    assert all(abs(e) <= 0.15 for e in errors.values()), errors


def test_results_sections_show_figures_numbers_and_scale(tmp_path):
    pd.DataFrame([{"claim": "GPLA helps", "paper": "Fig. 7", "measured": "+0.1 [0.05, 0.15]",
                   "verdict": "holds", "scale": "quick", "seeds": 3}]).to_csv(
        tmp_path / "claims_05_quick.csv", index=False)
    (tmp_path / "05_fig7.png").write_bytes(b"")
    text = report.results_sections(tmp_path, figures=tmp_path)
    assert text.startswith("## 05 · GPLA: gradual pseudo-labeling (Sec. 7, A.7; scale quick, "
                           "3 seeds (preview: cannot test early-round claims))")
    assert "![05_fig7](../figures/05_fig7.png)" in text
    assert "| GPLA helps | Fig. 7 | +0.1 [0.05, 0.15] | **holds** |" in text


def test_the_study_scale_is_shown_first_and_compared_with_quick(tmp_path):
    row = {"paper": "Fig. 3", "measured": "x", "supported": "1/1", "unadjusted": "1/1",
           "counted": True, "comparisons": 1}
    pd.DataFrame([{"claim": "I jumps", "verdict": "mixed", "scale": "quick", "seeds": 3,
                   **row}]).to_csv(tmp_path / "claims_03_quick.csv", index=False)
    pd.DataFrame([{"claim": "I jumps", "verdict": "holds", "scale": "study", "seeds": 5,
                   "runs_to": "90%", **row}]).to_csv(tmp_path / "claims_03_study.csv",
                                                    index=False)
    assert ("| 03 | I jumps | Fig. 3 | **holds** | 1/1 (1/1 before Holm) | study, 5 seeds, runs "
            "to 90% |") in report.claims_table(tmp_path)
    assert "| 03 | I jumps | mixed | **holds** (study, 5 seeds, runs to 90%) |" in \
        report.scale_comparison(tmp_path)
    assert report.scale_status(tmp_path) == "At the study scale: 03."


def test_campaign_table_sets_compute_beside_the_cost_model(tmp_path):
    pd.DataFrame({"notebook": ["03", "03", "01"], "job": ["a", "b", "c"], "tier": 1,
                  "estimate_s": [100, 100, 60], "seconds": [150, 250, 60],
                  "finished": "t"}).to_csv(tmp_path / "campaign_study.csv", index=False)
    table = report.campaign_table(tmp_path)
    assert "| 03 | 2 | 6.7 min | 3.3 min | 2.00 |" in table
    assert table.index("| 01 |") < table.index("| 03 |")


@pytest.mark.parametrize("page", report.PAGES, ids=lambda p: p.name)
def test_the_committed_pages_are_what_make_report_writes(page):
    """Every generated block of the README and of book/*.md (coverage, verdicts, claims,
    results, environments, campaign, runtimes) matches the committed results: after a
    campaign commit, run `make report`."""
    text = page.read_text()
    assert report.render(text) == text, f"{page.name} is stale: run `make report`"


def test_statements_list_every_inventory_entry_once_with_links_that_name_real_sections():
    text = report.statements()
    ids = re.findall(r'<span class="claim-id" id="([^"]+)">', text)
    assert ids == [c.id for c in paper_claims.CLAIMS]
    for nb, anchor in re.findall(r"\(\.\./notebooks/(\d\d)_\w+\.ipynb#([\w-]+)\)", text):
        assert anchor in {a for _, a in report._notebook(nb)[1]}
    grouped = re.findall(r'<a href="#([^"]+)">', report.by_verdict())
    assert set(grouped) == set(ids)  # every statement stands under some verdict or kind


def test_verdict_kinds():  # how the inventory and the seed-count table group verdicts
    assert [stats.verdict_kind(v) for v in ("holds", "holds in 2 of 3", "check: holds",
                                             "see 01, 'x'", "not tested (why)", "mixed")] == [
        "holds", "holds in some", "check", "counted in another notebook", "not tested", "mixed"]
