import json
import os

import pytest
import yaml
from conftest import NO_DATA

from alnb import notebooks

ALL = notebooks.notebooks()


@pytest.mark.parametrize("nb", ALL, ids=lambda p: p.name)
def test_committed_without_outputs_and_with_a_parameters_cell(nb):
    cells = json.loads(nb.read_text())["cells"]
    assert all("id" in c for c in cells), f"{nb.name} has cells without an id (nbformat 4.5)"
    code = [c for c in cells if c["cell_type"] == "code"]
    assert not [c for c in code if c.get("outputs") or c.get("execution_count")], \
        f"{nb.name} has outputs: clear them before committing"
    tagged = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{nb.name} needs exactly one cell tagged 'parameters'"
    assert "scale: str" in "".join(tagged[0]["source"])


@pytest.mark.parametrize("nb", ALL, ids=lambda p: p.name)
def test_cells_after_the_setup_only_call_alnb(nb):
    """Parameters, one setup cell, then one short call per figure and the claims: drawing and
    computing live in alnb, where they are tested."""
    code = [c for c in json.loads(nb.read_text())["cells"] if c["cell_type"] == "code"]
    for cell in code[2:]:
        text = "".join(cell["source"])
        assert len(cell["source"]) <= 3 and "import" not in text and "plt." not in text, \
            f"{nb.name}: move this cell's logic into alnb:\n{text}"


@pytest.mark.parametrize("nb", ALL, ids=lambda p: p.name)
def test_notebook_runs_at_smoke_scale(nb, tmp_path, monkeypatch):
    if not os.environ.get("ALNB_DATA_DIR"):
        pytest.skip(NO_DATA)
    params = yaml.safe_load((notebooks.NOTEBOOKS / "smoke.yml").read_text())
    params.update(figures_dir=str(tmp_path / "figures"), results_dir=str(tmp_path / "results"))
    notebooks.execute(nb, params, out_dir=tmp_path)
    assert list((tmp_path / "figures").glob("*.png")) and list((tmp_path / "results").glob(
        "claims_*.csv"))


def test_a_failing_cell_is_named(tmp_path):
    with pytest.raises(notebooks.NotebookFailed, match=r"01_training_modes.ipynb: cell \d+ "
                                                       r"failed with ValueError: Unknown scale"):
        notebooks.execute(ALL[0], {"scale": "huge"}, out_dir=tmp_path)


def test_only_a_run_that_computed_everything_is_a_runtime(tmp_path, monkeypatch):
    runs = []

    def fake_execute(nb, parameters, use_log=None, out_dir=None):
        use_log.write_text({"01": "computed a\ncached a\n", "02": "computed b\ncached c\n",
                            "03": "cached d\n",
                            "04": "computed seed-counts-04-x\ncached e\n"}.get(nb.name[:2], ""))

    monkeypatch.setattr(notebooks, "execute", fake_execute)
    monkeypatch.setattr(notebooks, "record_runtime",
                        lambda nb, scale, s, resumed: runs.append((nb[:2], resumed)))
    assert notebooks.main(["--scale", "quick", "--only", "0"]) == 0
    assert runs == [("01", False), ("02", True)]  # 03 and 04 re-plotted; 05 read nothing


def test_only_the_study_scale_writes_the_committed_figures():
    assert "figures_dir" not in notebooks.outputs({"scale": "study"})
    quick = notebooks.outputs({"scale": "quick"})
    assert quick["figures_dir"] == "../build/quick/figures" and "results_dir" not in quick
    smoke = notebooks.outputs({"scale": "smoke"})
    assert smoke["results_dir"] == "../build/smoke/results"
    mine = notebooks.outputs({"scale": "quick", "figures_dir": "/tmp/x"})
    assert mine["figures_dir"] == "/tmp/x"  # an explicit folder wins


def test_headless_kernels_talk_over_ipc_and_open_no_tcp_port(tmp_path, capfd):
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import json, ipykernel\nprint(json.loads(ipykernel.get_connection_info())['transport'])")])
    path = tmp_path / "00_probe.ipynb"
    nbformat.write(nb, path)
    out = notebooks.execute(path, {}, out_dir=tmp_path / "out")
    assert nbformat.read(out, 4).cells[0].outputs[0]["text"].strip() == "ipc"
    assert "running over TCP" not in capfd.readouterr().err
    assert not list(tmp_path.glob("kernel*"))
