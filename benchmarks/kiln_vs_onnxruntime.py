#!/usr/bin/env python3
"""Kiln's compiled binaries against onnxruntime, one thread, interleaved in one run.

    python3 benchmarks/kiln_vs_onnxruntime.py [--models tv_b0 lite0_trained] [--rounds 7] [--runs 30]

Needs onnxruntime and numpy (pip install onnxruntime numpy) for the comparison only; Kiln and the
binaries it builds never use them. For each model: compiles it with `kiln compile` (timed, C
compiler included), then alternates rounds of the binary's own `--bench N` and N onnxruntime runs
(single-threaded session, graph optimizations on), and reports the median of the round medians
and their ratio, the binary's size against its weight bytes, and its peak resident memory.
This is a benchmark, not a test: the machine is shared, so only the ratio within one run means much.
"""
import argparse, os, re, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def kiln_binary():
    path = os.path.join(ROOT, ".build", "release", "kiln")
    subprocess.run(["swift", "build", "-c", "release", "--product", "kiln"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    return path


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", nargs="+", default=["tv_b0", "lite0_trained"])
    parser.add_argument("--shared", default=os.environ.get("KILN_SHARED", os.path.join(ROOT, "..", "shared")))
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--target", default="native")
    args = parser.parse_args()
    try:
        import numpy as np
        import onnxruntime as ort
    except ImportError:
        sys.exit("needs onnxruntime and numpy: pip install onnxruntime numpy")

    kiln = kiln_binary()
    work = tempfile.mkdtemp(prefix="kiln-bench-")
    rows = []
    for name in args.models:
        folder = os.path.join(args.shared, "models", name)
        model = os.path.join(folder, "model.onnx")
        data = os.path.join(folder, "test_data_set_0", "input_0.pb")
        binary = os.path.join(work, name)
        start = time.perf_counter()
        sources = os.path.join(work, name + "-src")
        subprocess.run([kiln, "compile", model, "-o", binary, "--target", args.target, "--emit-c", sources],
                       check=True, stderr=subprocess.DEVNULL)
        compile_s = time.perf_counter() - start

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
        feed_name = session.get_inputs()[0].name
        from onnx import numpy_helper, load_tensor
        x = numpy_helper.to_array(load_tensor(data))
        session.run(None, {feed_name: x})

        kiln_medians, ort_medians, peaks = [], [], []
        for round_index in range(args.rounds):
            def run_kiln():
                out = subprocess.run([binary, data, "--bench", str(args.runs)], check=True, capture_output=True, text=True).stdout
                kiln_medians.append(float(re.search(r"median ([0-9.]+) ms", out).group(1)))
                peaks.append(float(re.search(r"peak RSS ([0-9.]+) MiB", out).group(1)))

            def run_ort():
                times = []
                for _ in range(args.runs):
                    t = time.perf_counter()
                    session.run(None, {feed_name: x})
                    times.append((time.perf_counter() - t) * 1e3)
                ort_medians.append(statistics.median(times))

            for step in ((run_kiln, run_ort) if round_index % 2 == 0 else (run_ort, run_kiln)):
                step()

        rss = max(peaks)  # the program's own getrusage: a forked Python child would count Python's memory
        size = os.path.getsize(binary)
        header = open(os.path.join(sources, "model.h")).read()
        weights = int(re.search(r"#define KILN_WEIGHTS_BYTES (\d+)", header).group(1))
        k, o = statistics.median(kiln_medians), statistics.median(ort_medians)
        rows.append((name, k, o, k / o, compile_s, size, weights, rss, kiln_medians, ort_medians))

    print(f"onnxruntime {ort.__version__}, 1 thread; {args.rounds} interleaved rounds of {args.runs} runs; target {args.target}")
    print(f"{'model':<16}{'kiln ms':>9}{'ort ms':>9}{'ratio':>7}{'compile s':>11}{'binary MiB':>12}{'weights MiB':>13}{'beyond KiB':>12}{'peak MiB':>10}")
    for name, k, o, ratio, compile_s, size, weights, rss, _, _ in rows:
        print(f"{name:<16}{k:>9.2f}{o:>9.2f}{ratio:>7.2f}{compile_s:>11.1f}{size / 2**20:>12.1f}{weights / 2**20:>13.1f}"
              f"{(size - weights) / 1024:>12.0f}{rss:>10.1f}")
    for name, *_, km, om in rows:
        print(f"{name}: kiln round medians {', '.join(f'{v:.2f}' for v in km)}; ort {', '.join(f'{v:.2f}' for v in om)}")


if __name__ == "__main__":
    main()
