"""`make bench`: the alnb loop on the paper's workload, beside the PyTorch and Keras loops.

Workload: Fashion-MNIST, ANN1(100), margin, cumulative, acquisition 120, 120 random labels.
Writes benchmarks/results.md (and .json). Peers run when a Python with torch and tensorflow
is found ($ALNB_PEERS_PYTHON or .venv-peers; `make peers-env` makes one).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import jax
import numpy as np

import alnb
from alnb import loop
from alnb.scoring import informativeness
from alnb.train import predict_proba

HERE = Path(__file__).resolve().parent
FWD_FLOP = 2 * (784 * 100 + 100 * 10)  # one ANN1(100) forward pass: 158.8 kFLOP
TRAIN_FLOP = 3 * FWD_FLOP  # forward + backward per training example
POOL, TEST, ACQ, L0 = 60000, 10000, 120, 120


def timed(f, *args):
    t = time.perf_counter()
    out = jax.block_until_ready(f(*args))
    return out, time.perf_counter() - t


def matmul_probe(n=2048, reps=5):
    a = jax.random.normal(jax.random.key(0), (n, n))
    f = jax.jit(lambda a: a @ a)
    timed(f, a)
    best = min(timed(f, a)[1] for _ in range(reps))
    return 2 * n**3 / best / 1e9


class Phases:
    """The round's three compiled phases, jitted separately to time them apart."""

    def __init__(self, ds, seeds):
        cfg = alnb.ALConfig(strategy="margin", acq_size=ACQ, initial_size=L0, seeds=seeds)
        self.spec = loop.RoundSpec(cfg.selection_net, None, ACQ, (28, 28, 1))
        self.choice = loop.Choice.of(cfg)
        self.pool = loop.pool_arrays(ds)
        self.keys = loop.seed_keys(range(seeds))
        v = lambda f, n: jax.jit(jax.vmap(f, in_axes=(None, 0) + (None,) * n), static_argnums=0)
        self.train, self.eval, self.score = v(loop.train_phase, 5), v(loop.evaluate_phase, 1), v(
            loop.score_and_select, 5)

    def fresh(self):
        return loop.init_seeds(self.spec, self.keys, POOL, 1)

    def round(self, states, r, count):
        (states, _), t_train = timed(self.train, self.spec, states, self.choice, self.pool, r, 0,
                                count)
        _, t_eval = timed(self.eval, self.spec, states, self.pool)
        (states, _), t_score = timed(self.score, self.spec, states, self.choice, self.pool, r,
                                     count, 1)
        return states, {"train_s": t_train, "score_s": t_score, "eval_s": t_eval}


def bench_rounds(ph, n_rounds=20):
    """(a): n cumulative rounds from 120 labels, phase by phase."""
    states, total = ph.fresh(), {"train_s": 0.0, "score_s": 0.0, "eval_s": 0.0}
    ph.round(ph.fresh(), 0, L0)  # compile
    for r in range(n_rounds):
        states, t = ph.round(states, r, L0 + ACQ * r)
        total = {k: total[k] + t[k] for k in total}
    return total


def bench_big_round(ph, big_l=12000, reps=3):
    """(b): one cumulative round at |L| = 12000 (a random L: the head of the seed's order)."""
    ph.round(ph.fresh(), 0, big_l)
    runs = [ph.round(ph.fresh(), 1, big_l)[1] for _ in range(reps)]
    return {k: float(np.median([r[k] for r in runs])) for k in runs[0]}


def bench_fused(ds, seeds, n_rounds=20):
    """The real loop (one fused program per round): first call (with compile), then warm."""
    cfg = alnb.ALConfig(strategy="margin", acq_size=ACQ, initial_size=L0, n_rounds=n_rounds,
                        seeds=seeds)
    t = time.perf_counter()
    h = alnb.run_active_learning(ds, cfg, progress=False)
    first = time.perf_counter() - t
    t = time.perf_counter()
    alnb.run_active_learning(ds, cfg, progress=False)
    return first, time.perf_counter() - t, h


def bench_strategies(ds, seeds, reps=3, big_l=12000):
    """Seconds per round and per run at |L| = big_l for Margin and the strategies beyond the
    paper: two cumulative rounds from a random start of big_l, fused loop, warm medians."""
    out = {}
    for strategy in ("margin", "bald", "badge", "coreset"):
        cfg = alnb.ALConfig(strategy=strategy, acq_size=ACQ, initial_size=big_l, n_rounds=2,
                            seeds=seeds)
        alnb.run_active_learning(ds, cfg, progress=False)  # compile
        times = []
        for _ in range(reps):
            t = time.perf_counter()
            alnb.run_active_learning(ds, cfg, progress=False)
            times.append((time.perf_counter() - t) / 2 / seeds)
        out[strategy] = float(np.median(times))
    return out


def bench_scoring(ph, reps=5):
    """(d): margin informativeness of the whole 60k pool, examples per second."""
    f = jax.jit(jax.vmap(lambda s: informativeness(
        "margin", predict_proba(ph.spec.sel, s.sel.params, ph.pool["x"]), None)))
    states = ph.fresh()
    timed(f, states)
    return POOL * len(ph.keys) / float(np.median([timed(f, states)[1] for _ in range(reps)]))


def flop_rounds(n_rounds):
    train = sum(L0 + ACQ * r for r in range(n_rounds)) * TRAIN_FLOP
    return train, n_rounds * POOL * FWD_FLOP, n_rounds * TEST * FWD_FLOP


def run_peer(py, script, args):
    out = subprocess.run([py, str(PEERS / script), *args], capture_output=True, text=True,
                         cwd=PEERS, env={**os.environ, "FMNIST_DIR": str(FMNIST_DIR)})
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode or not lines:
        print(f"peer {script} {args} failed:\n{out.stderr[-2000:]}", file=sys.stderr)
        return None
    return json.loads(lines[-1])


def peers_python():
    for cand in (os.environ.get("ALNB_PEERS_PYTHON"), ".venv-peers/bin/python"):
        if cand and Path(cand).exists():
            return os.path.abspath(cand)  # not resolve(): that would leave the venv
    return None


def med(rows, key):
    vals = [r[key] for r in rows if r is not None and r.get(key) is not None]
    return float(np.median(vals)) if vals else float("nan")


def rss_gb():
    """The process's peak resident memory so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def repetitions(ds, py, reps, seeds):
    """(a), (b), the fused loop and the peers, interleaved `reps` times; the RSS high-water
    mark after each phase of the first repetition."""
    one, many = Phases(ds, 1), Phases(ds, seeds)
    rows = {k: [] for k in ("a1", "b1", "aS", "bS", "fused1", "fusedS", "torch_a", "torch_b",
                            "keras_a", "keras_b")}
    rss, compile_s = {}, None
    for rep in range(reps):
        print(f"rep {rep + 1}/{reps}", flush=True)
        rows["a1"].append(bench_rounds(one))
        rows["aS"].append(bench_rounds(many))
        rss.setdefault("a", rss_gb())
        rows["b1"].append(bench_big_round(one))
        rows["bS"].append(bench_big_round(many))
        rss.setdefault("b", rss_gb())
        first, warm, h = bench_fused(ds, 1)
        compile_s = compile_s or first - warm
        rows["fused1"].append({"total_s": warm, "acc": float(h.test_acc[0, -1])})
        first, warm, h = bench_fused(ds, seeds)
        rows["fusedS"].append({"total_s": warm, "acc": float(np.mean(h.test_acc[:, -1]))})
        rss.setdefault("fused", rss_gb())
        if py:
            for peer, script in (("torch", "torch_al.py"), ("keras", "keras_al.py")):
                rows[f"{peer}_a"].append(run_peer(py, script, ["--mode", "cumulative",
                                                               "--steps", "20"]))
                rows[f"{peer}_b"].append(run_peer(py, script, ["--mode", "bigstep"]))
    return rows, rss, compile_s, (bench_scoring(one), bench_scoring(many))


def full_run(ds, seeds):
    """(e): a full cumulative run to exhaustion, seconds per run and final test accuracy."""
    cfg = alnb.ALConfig(strategy="margin", acq_size=ACQ, initial_size=L0, n_rounds=None,
                        seeds=seeds)
    t = time.perf_counter()
    h = alnb.run_active_learning(ds, cfg, progress=False)
    return (time.perf_counter() - t) / seeds, float(np.mean(h.test_acc[:, -1]))


def speedups(rows, seeds):
    """Per-run speed-up of alnb (vmapped seeds; fused loop for (a), phases for (b)) over
    PyTorch: NaN without peers."""
    fused = med(rows["fusedS"], "total_s") / seeds
    big = sum(med(rows["bS"], k) for k in ("train_s", "score_s", "eval_s")) / seeds
    torch_a = sum(med(rows["torch_a"], k) for k in ("train_s", "score_s", "eval_s"))
    torch_b = sum(med(rows["torch_b"], k) for k in ("train_s", "score_s", "eval_s"))
    return torch_a / fused, torch_b / big


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reps", type=int, default=3, help="interleaved repetitions")
    ap.add_argument("--seeds", type=int, default=8, help="seeds vmapped for (c) and (e)")
    ap.add_argument("--full", action=argparse.BooleanOptionalAction, default=True,
                    help="measure (e), a full run to exhaustion, instead of fitting it")
    args = ap.parse_args()
    ds = alnb.load_dataset("fashion_mnist")
    probe, py = matmul_probe(), peers_python()
    rows, rss, compile_s, (score1, scoreS) = repetitions(ds, py, args.reps, args.seeds)
    # (e) fitted from (b): training is linear in |L|; scoring and evaluation are fixed.
    b = rows["bS"]
    per_example = med(b, "train_s") / 12000 / args.seeds
    fixed = (med(b, "score_s") + med(b, "eval_s")) / args.seeds
    fit_e = sum((L0 + ACQ * r) * per_example + fixed for r in range(POOL // ACQ))
    strategies = bench_strategies(ds, args.seeds)
    measured_e, e_acc = full_run(ds, args.seeds) if args.full else (None, None)
    rss["e"] = rss_gb()
    torch_a, torch_b = speedups(rows, args.seeds)
    res = {"matmul_gflops": probe, "seeds": args.seeds, "reps": args.reps,
           "compile_s": compile_s, "peak_rss_gb": rss["e"], "peak_rss_gb_after": rss,
           "score_per_s_1": score1, "score_per_s_S": scoreS, "fit_e_s": fit_e,
           "measured_e_s": measured_e, "e_final_acc": e_acc,
           "speedup_vs_torch_a": torch_a, "speedup_vs_torch_b": torch_b,
           "round_s_by_strategy": strategies,
           "rows": rows, "jax": jax.__version__, "machine": platform.processor() or
           platform.machine(), "cpus": os.cpu_count(), "peers_python": py}
    (HERE / "results.json").write_text(json.dumps(res, indent=1))
    (HERE / "results.md").write_text(report(res))
    print(report(res))


def phase_table(res):
    """Rows of (a) and (b) with their train / score / eval split, for alnb and the peers."""
    rows, S = res["rows"], res["seeds"]
    out = ["| loop | (a) 20 rounds: total (train / score / eval) s | (b) round at |L|=12000: "
           "total (train / score / eval) s |", "|---|---|---|"]
    totals = {}
    loops = [("alnb, 1 seed", "a1", "b1", 1), (f"alnb, {S} seeds vmapped, per run (c)", "aS",
                                                "bS", S),
             ("PyTorch (2 threads)", "torch_a", "torch_b", 1),
             ("tf.keras (plain)", "keras_a", "keras_b", 1)]
    for name, a, b, n in loops:
        if not any(r is not None for r in rows[a]):
            continue
        cells = []
        for key in (a, b):
            t = [med(rows[key], k) / n for k in ("train_s", "score_s", "eval_s")]
            totals[key] = sum(t)
            cells.append(f"{sum(t):.3f} ({t[0]:.3f} / {t[1]:.3f} / {t[2]:.3f})")
        out.append(f"| {name} | {cells[0]} | {cells[1]} |")
    return out, totals


def report(res):
    rows, S = res["rows"], res["seeds"]
    fa, fb = flop_rounds(20), (12000 * TRAIN_FLOP, POOL * FWD_FLOP, TEST * FWD_FLOP)
    fe = sum(flop_rounds(POOL // ACQ))
    table, totals = phase_table(res)
    fused1, fusedS = med(rows["fused1"], "total_s"), med(rows["fusedS"], "total_s") / S

    def gflops(flop, s):
        return f"{flop / s / 1e9:.0f}"

    out = ["# `make bench`: alnb beside PyTorch and Keras", "",
           f"Workload: Fashion-MNIST, ANN1(100), margin, cumulative, acquisition 120, 120 random "
           f"initial labels. Medians of {res['reps']} interleaved repetitions in one session on "
           f"{res['cpus']} CPU cores; jax {res['jax']}. alnb scores the whole pool each round "
           "(that one forward pass also gives the training accuracy on L); the peers score U.",
           "", *table, "",
           f"The real loop (`run_active_learning`, one fused program per round) for (a): "
           f"{fused1:.3f} s with 1 seed, {fusedS:.3f} s per run with {S} seeds vmapped; test "
           f"accuracy after (a): {med(rows['fusedS'], 'acc'):.3f} (mean of {S} seeds).", ""]
    if "keras_a" in totals:
        out += ["Speed-up per run, alnb with vmapped seeds (fused loop for (a), phases for (b)):",
                "", "| against | (a) | (b) |", "|---|---|---|",
                f"| PyTorch | {res['speedup_vs_torch_a']:.1f}x | "
                f"{res['speedup_vs_torch_b']:.1f}x |",
                f"| tf.keras | {totals['keras_a'] / fusedS:.1f}x | "
                f"{totals['keras_b'] / totals['bS']:.1f}x |", "",
                f"Peers' test accuracy after (a): PyTorch {med(rows['torch_a'], 'final_acc'):.3f}, "
                f"Keras {med(rows['keras_a'], 'final_acc'):.3f}.", ""]
    e, rss = res["measured_e_s"], res["peak_rss_gb_after"]
    out += ["| measure | value |", "|---|---|",
            f"| (d) scoring the 60k pool, 1 seed | {res['score_per_s_1'] / 1e3:.0f} k examples/s |",
            f"| (d) scoring the 60k pool, {S} seeds | {res['score_per_s_S'] / 1e3:.0f} k "
            "examples/s |",
            f"| (e) full run to exhaustion (500 rounds), per run, {S} seeds | "
            + (f"{e:.1f} s measured (final test accuracy {res['e_final_acc']:.3f})" if e else
               f"{res['fit_e_s']:.1f} s fitted from (b) (not measured)") + " |",
            f"| (f) compile time of the fused round (1 seed) | {res['compile_s']:.1f} s |",
            "| (f) peak RSS after (a), (b), the fused loop, (e) | "
            + ", ".join(f"{rss[k]:.2f}" for k in ("a", "b", "fused", "e")) + " GB |", "",
            "FLOPs and achieved rate (float32 matmul probe in this process: "
            f"{res['matmul_gflops']:.0f} GFLOP/s):", "",
            "| workload | GFLOP | alnb 1 seed GFLOP/s | alnb per-run GFLOP/s |",
            "|---|---|---|---|",
            f"| (a) | {sum(fa) / 1e9:.1f} | {gflops(sum(fa), totals['a1'])} | "
            f"{gflops(sum(fa), totals['aS'])} |",
            f"| (b) | {sum(fb) / 1e9:.1f} | {gflops(sum(fb), totals['b1'])} | "
            f"{gflops(sum(fb), totals['bS'])} |",
            f"| (e) | {fe / 1e9:.0f} | | " + (f"{gflops(fe, e)} |" if e else " |")]
    if "round_s_by_strategy" in res:
        by = res["round_s_by_strategy"]
        out += ["", f"A round at |L| = 12,000 by strategy (fused loop, {S} seeds vmapped, per "
                "run; BALD with 20 dropout passes):", "",
                "| strategy | s per round | vs Margin |", "|---|---|---|",
                *(f"| {k} | {v:.3f} | {v / by['margin']:.1f}x |" for k, v in by.items())]
    levers = HERE / "levers.md"
    return "\n".join(out) + "\n" + ("\n" + levers.read_text() if levers.exists() else "")


PEERS = Path(os.environ.get("ALNB_PEERS_DIR", HERE.parent.parent / "shared" / "peers")).resolve()
FMNIST_DIR = Path(os.environ.get("ALNB_DATA_DIR", HERE.parent.parent / "shared" / "data"),
                  "fashion_mnist").resolve()

if __name__ == "__main__":
    main()
