#!/usr/bin/env python3
"""Ingest throughput, side by side: `mfaproof ingest` vs DuckDB `read_json` -> `COPY ... TO
parquet` (ZSTD) with the same columns, on the same Graph sign-in NDJSON file.

Usage: python3 benches/compare/ingest_vs_duckdb.py [--records N] [--workdir DIR]
Installs DuckDB 2.x with pip if missing; builds the release binary if missing. Prints a
table and a JSON line with seconds, MB/s, records/s, peak RSS and the ratio.
"""
import argparse, copy, json, os, shutil, sys

from common import ROOT, duckdb_module, release_binary, sign_in_columns, timed_rss

# The generated archive's tenant (Graph sign-ins name none: `ingest --tenant` gives it).
TENANT = "0e35ee7a-425d-45a5-9013-218c1eae8fd4"

DUCKDB_SQL = """
COPY (
  SELECT """ + sign_in_columns() + """
  FROM read_json('{input}', format = 'newline_delimited')
) TO '{output}' (FORMAT parquet, COMPRESSION zstd);
"""


def generate(path, n):
    with open(os.path.join(ROOT, "data-samples/equivalence/graph-beta-page.json")) as f:
        template = json.load(f)["value"][0]
    with open(path, "w") as out:
        for i in range(n):
            r = copy.deepcopy(template)
            r["id"] = f"{i:08x}-4b3e-4c55-9a1e-2f7d8e9c3b00"
            r["createdDateTime"] = f"2026-11-{1 + i % 10:02d}T{i % 24:02d}:{i % 60:02d}:02.1234567Z"
            r["userPrincipalName"] = f"user{i % 500}@contoso.example"
            r["sessionId"] = f"{i // 7:08x}-2f4e-4d3a-9b8c-1e2f3a4b5c6d"
            out.write(json.dumps(r, separators=(",", ":")) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--workdir", default=os.path.join(ROOT, "target/compare"))
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    duckdb = duckdb_module()
    binary = release_binary()
    data = os.path.join(args.workdir, f"signins-{args.records}.json")
    if not os.path.exists(data):
        generate(data, args.records)
    size = os.path.getsize(data)
    with open(data, "rb") as f:  # warm the page cache for both tools alike
        while f.read(1 << 24):
            pass
    lake = os.path.join(args.workdir, "lake")
    shutil.rmtree(lake, ignore_errors=True)
    ours, ours_rss, out = timed_rss([binary, "ingest", "--json", "--tenant", TENANT, "--lake", lake, data])
    summary = json.loads(out)
    assert summary["counts"]["sign_ins"] == args.records, summary["counts"]
    parquet = os.path.join(args.workdir, "duckdb.parquet")
    sql = DUCKDB_SQL.format(input=data, output=parquet)
    theirs, theirs_rss, _ = timed_rss([sys.executable, "-c", f"import duckdb; duckdb.sql({sql!r})"])
    mb = size / 1e6
    result = {
        "records": args.records, "input_mb": round(mb, 1),
        "duckdb_version": duckdb.__version__,
        "mfaproof": {"seconds": round(ours, 2), "mb_per_s": round(mb / ours, 1),
                     "records_per_s": round(args.records / ours), "peak_rss_mb": round(ours_rss / 1e6)},
        "duckdb": {"seconds": round(theirs, 2), "mb_per_s": round(mb / theirs, 1),
                   "records_per_s": round(args.records / theirs), "peak_rss_mb": round(theirs_rss / 1e6)},
        "ratio_duckdb_time_over_ours": round(theirs / ours, 2),
    }
    print(f"{'':10} {'seconds':>8} {'MB/s':>8} {'records/s':>10} {'peak RSS MB':>12}")
    for k in ("mfaproof", "duckdb"):
        r = result[k]
        print(f"{k:10} {r['seconds']:>8} {r['mb_per_s']:>8} {r['records_per_s']:>10} {r['peak_rss_mb']:>12}")
    print(f"ratio (DuckDB time / mfaproof time): {result['ratio_duckdb_time_over_ours']}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
