#!/usr/bin/env python3
"""The single-machine competitor of issue 25: ReAlign with numpy + pyarrow in one process.

What a competent engineer writes when no cluster is needed (docs/design.md section 1 for the math):
- memory-maps the .npy inputs and works in CHUNK-row chunks on THREADS threads (numpy releases the
  GIL inside its kernels);
- sums in float64 and uses trace = 1 - ||mu||^2 for the normalised (unit) rows;
- writes the aligned texts as uncompressed list<float> Parquet with pyarrow (ids 0..n-1 beside);
- images are never changed, so they are not written (nor does realign write them);
- rows are not checked: a non-finite or zero text row (the demo generator writes 20 of each) makes
  every trace, the scale and every output NaN, where realign counts and quarantines such rows.

Usage: numpy-realign.py TEXT.npy IMAGE.npy OUT.parquet [--check EXPECTED.npy]
  --check: compare the aligned rows with a reference (max absolute difference, printed; exit 1
  above 1e-6).
Prints the phases' wall times and the fit (traces, scale) to stderr.
"""
import argparse
import concurrent.futures as cf
import sys
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

CHUNK = 32768
THREADS = 2
EPS = 1e-10  # s = sqrt(T_image / (T_text + EPS)), as in docs/design.md


def chunks(n):
    return [(i, min(i + CHUNK, n)) for i in range(0, n, CHUNK)]


def normalise(x):
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / norms


def mean_of_unit_rows(a, pool):
    """mu = (1/n) sum of the normalised rows, summed in float64, chunk by chunk."""
    def part(lo_hi):
        lo, hi = lo_hi
        return normalise(a[lo:hi]).sum(axis=0, dtype=np.float64)
    total = sum(pool.map(part, chunks(a.shape[0])))
    return total / a.shape[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("text")
    ap.add_argument("image")
    ap.add_argument("out")
    ap.add_argument("--check")
    args = ap.parse_args()
    t0 = time.perf_counter()
    text = np.load(args.text, mmap_mode="r")
    image = np.load(args.image, mmap_mode="r")
    n, d = text.shape
    with cf.ThreadPoolExecutor(THREADS) as pool:
        mu_t = mean_of_unit_rows(text, pool)
        mu_i = mean_of_unit_rows(image, pool)
        t_stats = time.perf_counter()
        trace_t = 1.0 - float(mu_t @ mu_t)
        trace_i = 1.0 - float(mu_i @ mu_i)
        s = np.sqrt(trace_i / (trace_t + EPS))
        mu_t32, mu_i32 = mu_t.astype(np.float32), mu_i.astype(np.float32)

        def e1(lo, hi):
            return normalise(mu_i32 + np.float32(s) * (normalise(text[lo:hi]) - mu_t32))

        def e1_sum(lo_hi):
            return e1(*lo_hi).sum(axis=0, dtype=np.float64)

        mu_hat = sum(pool.map(e1_sum, chunks(n))) / n
        t_centroid = time.perf_counter()
        shift = (mu_i - mu_hat).astype(np.float32)

        def aligned(lo_hi):
            lo, hi = lo_hi
            return normalise(e1(lo, hi) + shift)

        writer = pq.ParquetWriter(
            args.out,
            pa.schema([("id", pa.int64()), ("embedding", pa.list_(pa.float32()))]),
            compression="none",
        )
        out_rows = []
        for (lo, hi), rows in zip(chunks(n), pool.map(aligned, chunks(n))):
            flat = pa.array(rows.reshape(-1), type=pa.float32())
            offsets = pa.array(np.arange(0, (hi - lo + 1) * d, d, dtype=np.int32))
            emb = pa.ListArray.from_arrays(offsets, flat)
            ids = pa.array(np.arange(lo, hi, dtype=np.int64))
            writer.write_table(pa.table({"id": ids, "embedding": emb}))
            if args.check:
                out_rows.append(rows)
        writer.close()
    t_end = time.perf_counter()
    print(
        f"numpy-realign: {n} x {d}: stats {t_stats - t0:.2f} s, centroid {t_centroid - t_stats:.2f} s,"
        f" apply+write {t_end - t_centroid:.2f} s, total {t_end - t0:.2f} s;"
        f" trace_text {trace_t:.9f}, trace_image {trace_i:.9f}, scale {s:.9f}",
        file=sys.stderr,
    )
    if args.check:
        expected = np.load(args.check)
        diff = float(np.max(np.abs(np.concatenate(out_rows) - expected)))
        print(f"numpy-realign: max |aligned - {args.check}| = {diff:.3g}", file=sys.stderr)
        if diff > 1e-6:
            sys.exit(1)


if __name__ == "__main__":
    main()
