#!/usr/bin/env python3
"""Ingest and classification, side by side: mfaproof against the same work done well in
DuckDB, on the same archive made by `mfaproof generate --format graph` (Graph NDJSON
sign-ins and directoryAudits pages, with known answers in truth.csv), plus the JSON parse
floor of the same bytes.

- parse floor: `parse_floor/` (sonic-rs built with `-C target-cpu=native`) reads every
  file on one core and parses each line into nothing (`skip`: validate and skip; `dom`: a
  full value, dropped); `read` is the reading alone.
- ingest: `mfaproof ingest` against DuckDB `read_json` with explicit, typed `columns` for
  every field the lake keeps (`common.GRAPH_SIGN_IN_TYPES`: nothing sampled or guessed),
  writing the same columns (plus tenant, source file and record order, for the dedup) to
  ZSTD Parquet at level 1 with version 2 pages (the lake's level and pages; DuckDB's
  defaults are level 3 and version 1) partitioned by tenant and date, as the lake is.
  DuckDB does not deduplicate at ingest (mfaproof does) and reads the audit pages at
  classification, not ingest.
- classify: `mfaproof classify` (Parquet export) against a faithful, simplified port of
  queries/classification.sql to DuckDB SQL over DuckDB's Parquet: the vocabulary CSVs of
  queries/vocabulary/ joined on the unnested steps, per-user MFA and security-defaults
  state from the audit events by ASOF joins, session chaining by a window, dedup by
  row_number. Simplified: audit changes at the same instant are not ordered by id, and no
  snapshot inputs. Both results are checked against truth.csv.

The tools run alternately, `--rounds` times (the order flips every round), page cache
warm; the table gives each stage's median and range, and the ratios of the medians.

Usage: python3 benches/compare/vs_duckdb.py [--sign-ins N | --archive DIR] [--rounds 3]
    [--workdir DIR]
Needs DuckDB (pip) and cargo; builds the release binary and the parse floor if missing.
`MFAPROOF_BIN` picks another mfaproof binary.
"""
import argparse, json, os, shutil, statistics, subprocess, sys

from common import (ROOT, columns_clause, duckdb_module, release_binary, sign_in_columns,
                    timed_rss)

# The generated archive's tenant (Graph sign-ins name none: `ingest --tenant` gives it).
TENANT = "0e35ee7a-425d-45a5-9013-218c1eae8fd4"

VOCAB = os.path.join(ROOT, "queries", "vocabulary")
FLOOR = os.path.join(ROOT, "benches", "compare", "parse_floor")

INGEST_SQL = """
SET TimeZone = 'UTC';
COPY (
  SELECT '{tenant}' AS tenant_id, """ + sign_in_columns() + """,
         'graph' AS source_format, filename AS source_file, row_number() OVER () AS ingest_seq,
         strftime(created_at, '%Y-%m-%d') AS date
  FROM read_json('{sign_ins}', format = 'newline_delimited', filename = true,
                 columns = """ + columns_clause().replace("{", "{{").replace("}", "}}") + """)
) TO '{parquet}' (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, PARQUET_VERSION V2,
                 PARTITION_BY (tenant_id, date));
"""

CLASSIFY_SQL = r"""
CREATE MACRO norm(x) AS lower(regexp_replace(coalesce(CAST(x AS VARCHAR), ''), '^[\s\p{{Z}}]+|[\s\p{{Z}}]+$', '', 'g'));
CREATE MACRO per_user_state(v) AS CASE
    WHEN v IS NULL OR trim(v) IN ('', 'null') THEN NULL
    WHEN NOT json_valid(v) OR json_type(v::JSON) <> 'ARRAY' THEN 'unknown'
    WHEN json_array_length(v::JSON) = 0 THEN 'disabled'
    ELSE CASE list_max(list_transform(from_json(v, '[{{"State":"INTEGER"}}]'), lambda e: e.State))
         WHEN 1 THEN 'enforced' WHEN 0 THEN 'enabled' ELSE 'unknown' END
END;
CREATE MACRO enabled_value(v) AS CASE lower(regexp_replace(coalesce(v, ''), '[\[\]" ]', '', 'g'))
    WHEN 'true' THEN 'on' WHEN 'false' THEN 'off' END;

CREATE TABLE methods AS SELECT lower(method) AS pat, kind, match FROM read_csv('{vocab}/methods.csv');
CREATE TABLE details AS SELECT lower(detail) AS pat, kind, match FROM read_csv('{vocab}/details.csv');
CREATE TABLE modern AS SELECT lower(client_app_used) AS client_app FROM read_csv('{vocab}/client_apps.csv') WHERE kind = 'modern';
CREATE TABLE interrupts AS SELECT error_code FROM read_csv('{vocab}/interrupt_errors.csv');
CREATE TABLE classes AS SELECT class, verdict, root::BOOLEAN AS root FROM read_csv('{vocab}/classes.csv');

CREATE TABLE audit_targets AS
WITH ev AS (SELECT unnest(value) AS a FROM read_json('{audits}')),
t AS (SELECT a.id AS aid,
             CAST(a.activityDateTime AS TIMESTAMPTZ) AS ts,
             norm(a.activityDisplayName) AS act, unnest(a.targetResources) AS tr
      FROM ev WHERE norm(a.result) IN ('', 'success'))
SELECT aid, ts, act, norm(tr.id) AS target_id, lower(coalesce(tr.displayName, '')) AS target_name,
       list_filter(tr.modifiedProperties, lambda p: lower(p.displayName) = 'strongauthenticationrequirement')[1] AS sar,
       list_filter(tr.modifiedProperties, lambda p: lower(p.displayName) = 'isenabled')[1] AS ise,
       len(list_filter(tr.modifiedProperties, lambda p: lower(p.displayName) = 'strongauthenticationrequirement')) AS n_sar
FROM t;

CREATE TABLE per_user AS
SELECT target_id AS user_key, ts,
       CASE WHEN n_sar = 0 THEN NULL ELSE per_user_state(sar.oldValue) END AS old_state,
       CASE WHEN n_sar = 0 THEN 'disabled' ELSE coalesce(per_user_state(sar.newValue), 'unknown') END AS new_state
FROM audit_targets
WHERE n_sar > 0 OR act = 'disable strong authentication';

CREATE TABLE defaults AS
SELECT 1 AS k, ts, enabled_value(ise.oldValue) AS old_state, enabled_value(ise.newValue) AS new_state
FROM audit_targets
WHERE ise IS NOT NULL
  AND (act = 'update security defaults' OR (act = 'update policy' AND contains(target_name, 'security defaults')));

CREATE TABLE s AS
SELECT * EXCLUDE (rn) FROM (
    SELECT *, norm(user_id) AS user_key, norm(session_id) AS session_key,
           row_number() OVER (PARTITION BY id ORDER BY len(authentication_details) DESC,
                              source_file DESC, ingest_seq DESC) AS rn
    FROM read_parquet('{parquet}/**/*.parquet', hive_partitioning = true)
) WHERE rn = 1;

CREATE TABLE kinds AS
WITH steps AS (SELECT id, unnest(authentication_details) AS d FROM s),
specific AS (SELECT pat, match FROM details WHERE kind IN ('app_password', 'location', 'remembered')),
by_method AS (
    SELECT st.id, m.kind FROM steps st JOIN methods m
      ON (m.match = 'exact' AND norm(st.d.authenticationMethod) = m.pat)
      OR (m.match = 'prefix' AND starts_with(norm(st.d.authenticationMethod), m.pat))
    WHERE st.d.succeeded IS TRUE
      AND (m.kind <> 'claim' OR replace(replace(norm(st.d.authenticationStepRequirement), ' ', ''), '-', '') = 'multifactorauthentication')
),
texts AS (
    SELECT id, norm(d.authenticationStepResultDetail) AS txt, d.succeeded IS NOT DISTINCT FROM false AS failed FROM steps
    UNION ALL
    SELECT id, norm(additional_details), false FROM s WHERE additional_details IS NOT NULL
),
by_detail AS (
    SELECT t.id, v.kind FROM texts t JOIN details v
      ON (v.match = 'exact' AND t.txt = v.pat) OR (v.match = 'prefix' AND starts_with(t.txt, v.pat))
    WHERE (v.kind IN ('app_password', 'location', 'remembered', 'other_skip') OR NOT t.failed)
      AND (v.kind <> 'other_skip' OR NOT EXISTS (
          SELECT 1 FROM specific x
          WHERE (x.match = 'exact' AND t.txt = x.pat) OR (x.match = 'prefix' AND starts_with(t.txt, x.pat))))
)
SELECT id, bool_or(kind = 'strong') AS strong, bool_or(kind = 'second_factor') AS second_factor,
       bool_or(kind = 'app_password') AS app_password, bool_or(kind = 'location') AS location,
       bool_or(kind = 'remembered') AS remembered, bool_or(kind = 'other_skip') AS other_skip,
       bool_or(kind = 'claim') AS claim, bool_or(kind = 'external') AS external
FROM (SELECT * FROM by_method UNION ALL SELECT * FROM by_detail) GROUP BY id;

COPY (
WITH f AS (
    SELECT s.id, s.created_at, s.user_key, s.session_key, s.error_code,
           CASE norm(s.event_type) WHEN 'interactiveuser' THEN 'interactive_user'
                WHEN 'noninteractiveuser' THEN 'non_interactive_user'
                WHEN 'serviceprincipal' THEN 'service_principal'
                WHEN 'managedidentity' THEN 'managed_identity' END AS event_type,
           norm(s.authentication_requirement) AS requirement,
           coalesce(k.strong, false) AS strong, coalesce(k.second_factor, false) AS second_factor,
           coalesce(k.location, false) AS location, coalesce(k.remembered, false) AS remembered,
           coalesce(k.other_skip, false) AS other_skip, coalesce(k.claim, false) AS claim,
           coalesce(k.external, false) AS external,
           coalesce(k.app_password, false)
             OR (norm(s.client_app_used) <> '' AND norm(s.client_app_used) NOT IN (SELECT client_app FROM modern))
             AS legacy_or_app_password,
           len(list_filter(s.authentication_requirement_policies, lambda p: norm(p.requirementProvider) = 'user')) > 0 AS per_user_evidence,
           s.error_code IN (SELECT error_code FROM interrupts) AS interrupted
    FROM s LEFT JOIN kinds k USING (id)
),
st AS (
    SELECT f.*, coalesce(b.new_state, a.old_state, 'unknown') AS per_user
    FROM f
    ASOF LEFT JOIN per_user b ON f.user_key = b.user_key AND f.created_at >= b.ts
    ASOF LEFT JOIN per_user a ON f.user_key = a.user_key AND f.created_at < a.ts
),
sdj AS (
    SELECT st.*, coalesce(b.new_state, a.old_state, 'unknown') AS sd
    FROM st
    ASOF LEFT JOIN defaults b ON b.k = 1 AND st.created_at >= b.ts
    ASOF LEFT JOIN defaults a ON a.k = 1 AND st.created_at < a.ts
),
pre AS (
    SELECT *, CASE
        WHEN event_type IN ('service_principal', 'managed_identity') THEN 'workload'
        WHEN interrupted THEN 'mfa_interrupted'
        WHEN error_code IS NULL OR error_code <> 0 THEN 'failed'
        WHEN strong THEN 'strong_auth'
        WHEN second_factor THEN 'mfa_completed'
        WHEN legacy_or_app_password AND (per_user = 'enforced' OR per_user_evidence
             OR requirement = 'multifactorauthentication') THEN 'app_password'
        WHEN legacy_or_app_password AND per_user IN ('disabled', 'enabled') THEN 'legacy_single_factor'
        WHEN legacy_or_app_password THEN 'legacy_unverified'
        WHEN location THEN 'mfa_skipped_location'
        WHEN remembered THEN 'remembered_device'
        WHEN other_skip THEN 'mfa_skipped_other'
        WHEN external THEN 'external_mfa'
        WHEN claim THEN 'mfa_claim'
        WHEN requirement = 'multifactorauthentication' THEN 'mfa_required_success'
    END AS pre_class FROM sdj
),
chained AS (
    SELECT p.*, coalesce(c.root, false) AS is_root,
           max(CASE WHEN coalesce(c.root, false) AND p.user_key <> '' AND p.session_key <> ''
                    THEN lpad(CAST(epoch_us(p.created_at) AS VARCHAR), 20, '0') || CAST(p.id AS VARCHAR) END)
             OVER (PARTITION BY p.user_key, p.session_key ORDER BY p.created_at
                   RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS latest_root
    FROM pre p LEFT JOIN classes c ON c.class = p.pre_class
),
classified AS (
    SELECT *,
           CASE WHEN user_key <> '' AND session_key <> '' AND NOT is_root AND latest_root IS NOT NULL
                THEN substr(latest_root, 21) END AS origin,
           CASE WHEN pre_class IS NOT NULL THEN pre_class
                WHEN user_key <> '' AND session_key <> '' AND latest_root IS NOT NULL THEN 'session_mfa'
                WHEN sd = 'on' THEN 'security_defaults'
                WHEN requirement = 'singlefactorauthentication' THEN 'single_factor'
                ELSE 'no_evidence' END AS class
    FROM chained
)
SELECT CAST(c.id AS VARCHAR) AS id, c.created_at, c.class, v.verdict,
       CASE WHEN c.class IN ('mfa_claim', 'session_mfa', 'remembered_device') THEN c.origin END AS origin_sign_in_id
FROM classified c JOIN classes v USING (class)
ORDER BY c.created_at, c.id
) TO '{export}' (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1);
"""

AGREEMENT_SQL = """
SELECT count(*) AS total,
       count(*) FILTER (WHERE o.class = t.class AND o.verdict = t.verdict
                        AND coalesce(o.origin_sign_in_id, '') = coalesce(t.origin_sign_in_id, '')) AS agree
FROM read_csv('{truth}', all_varchar = true) t LEFT JOIN (SELECT CAST(id AS VARCHAR) AS id, class, verdict,
    CAST(origin_sign_in_id AS VARCHAR) AS origin_sign_in_id FROM read_parquet('{export}')) o USING (id)
"""


def duckdb_run(sql, threads):
    return timed_rss([sys.executable, "-c",
                      "import duckdb, sys; c = duckdb.connect(); "
                      f"c.execute('SET threads = {threads}'); c.execute(sys.argv[1])", sql])


def agreement(truth, export):
    import duckdb
    total, agree = duckdb.sql(AGREEMENT_SQL.format(truth=truth, export=export)).fetchall()[0]
    return agree, total


def floor_binary(workdir):
    """The parse floor, built for this CPU (once)."""
    target = os.path.join(workdir, "parse-floor-target")
    binary = os.path.join(target, "release", "parse-floor")
    if not os.path.exists(binary):
        env = dict(os.environ, CARGO_TARGET_DIR=target, RUSTFLAGS="-C target-cpu=native")
        subprocess.check_call(["cargo", "build", "--release", "--quiet"], cwd=FLOOR, env=env)
    return binary


def archive_of(args, binary):
    if args.archive:
        return args.archive
    archive = os.path.join(args.workdir, f"archive-{args.sign_ins}-{args.seed}")
    if not os.path.exists(os.path.join(archive, "truth.csv")):
        shutil.rmtree(archive, ignore_errors=True)
        subprocess.check_call([binary, "generate", "--out", archive, "--format", "graph",
                               "--sign-ins", str(args.sign_ins), "--seed", str(args.seed)])
    return archive


def warm(folder):
    """Reads every file once, so that every tool finds the page cache alike."""
    size = 0
    for d, _, fs in os.walk(folder):
        for f in fs:
            with open(os.path.join(d, f), "rb") as fh:
                while chunk := fh.read(1 << 24):
                    size += len(chunk)
    return size


def one_round(r, paths, tools):
    """Each tool's ingest then classify; the order of the tools flips every round."""
    times = {}
    floor, binary, threads = tools
    for mode in ("read", "skip", "dom"):
        secs = float(subprocess.check_output(["taskset", "-c", "0", floor, mode, paths["graph"]],
                                             text=True).split()[3])
        times[f"floor_{mode}"] = (secs, 0, secs)
    order = ("mfaproof", "duckdb") if r % 2 == 0 else ("duckdb", "mfaproof")
    for stage in ("ingest", "classify"):
        for tool in order:
            times[f"{tool}_{stage}"] = run_stage(tool, stage, paths, binary, threads)
    return times


def run_stage(tool, stage, paths, binary, threads):
    if tool == "mfaproof" and stage == "ingest":
        shutil.rmtree(paths["lake"], ignore_errors=True)
        t = timed_rss([binary, "ingest", "--json", "--tenant", TENANT, "--lake", paths["lake"],
                       paths["graph"]])
    elif tool == "mfaproof":
        t = timed_rss([binary, "classify", "--lake", paths["lake"], "--out", paths["ours"]])
    elif stage == "ingest":
        shutil.rmtree(paths["parquet"], ignore_errors=True)
        t = duckdb_run(INGEST_SQL.format(tenant=TENANT, sign_ins=paths["sign_ins"],
                                         parquet=paths["parquet"]), threads)
    else:
        t = duckdb_run(CLASSIFY_SQL.format(vocab=VOCAB, audits=paths["audits"],
                                           parquet=paths["parquet"], export=paths["theirs"]),
                       threads)
    return t[0], t[1], t[3]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sign-ins", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--archive", help="an existing `mfaproof generate --format graph` output")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--workdir", default=os.path.join(ROOT, "target/compare"))
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    duckdb = duckdb_module()
    binary = release_binary()
    floor = floor_binary(args.workdir)
    archive = archive_of(args, binary)
    graph = os.path.join(archive, "graph")
    w = args.workdir
    paths = {"graph": graph, "lake": os.path.join(w, "lake"),
             "sign_ins": os.path.join(graph, "signIns", "*", "*.ndjson"),
             "audits": os.path.join(graph, "directoryAudits", "*.json"),
             "parquet": os.path.join(w, "duckdb-sign-ins"),
             "ours": os.path.join(w, "mfaproof-classified.parquet"),
             "theirs": os.path.join(w, "duckdb-classified.parquet")}
    size = warm(graph)
    threads = os.cpu_count() or 2
    rounds = [one_round(r, paths, (floor, binary, threads)) for r in range(args.rounds)]
    truth = os.path.join(archive, "truth.csv")
    ours_ok, total = agreement(truth, paths["ours"])
    theirs_ok, _ = agreement(truth, paths["theirs"])
    report(args, rounds, size, duckdb.__version__, threads, (ours_ok, theirs_ok, total))


def report(args, rounds, size, version, threads, agree):
    med = {k: statistics.median(r[k][0] for r in rounds) for k in rounds[0]}
    rss = {k: statistics.median(r[k][1] for r in rounds) for k in rounds[0]}
    cpu = {k: statistics.median(r[k][2] for r in rounds) for k in rounds[0]}
    spread = {k: (min(r[k][0] for r in rounds), max(r[k][0] for r in rounds)) for k in rounds[0]}
    floor = min(med["floor_skip"], med["floor_dom"])
    ratios = {
        "ingest_duckdb_over_ours": round(med["duckdb_ingest"] / med["mfaproof_ingest"], 2),
        "classify_duckdb_over_ours": round(med["duckdb_classify"] / med["mfaproof_classify"], 2),
        "ingest_over_parse_floor": round(med["mfaproof_ingest"] / floor, 2),
        "ingest_cpu_duckdb_over_ours": round(cpu["duckdb_ingest"] / cpu["mfaproof_ingest"], 2),
        "classify_cpu_duckdb_over_ours": round(cpu["duckdb_classify"] / cpu["mfaproof_classify"], 2),
    }
    ours_ok, theirs_ok, total = agree
    print(f"{args.sign_ins if not args.archive else args.archive}: {size / 1e6:.0f} MB of Graph "
          f"JSON; DuckDB {version}, {threads} threads; medians of {len(rounds)} alternated rounds")
    print(f"{'stage':20} {'median s':>9} {'range s':>15} {'CPU s':>7} {'peak RSS MB':>12}")
    for k in med:
        lo, hi = spread[k]
        print(f"{k:20} {med[k]:>9.2f} {f'{lo:.2f}-{hi:.2f}':>15} {cpu[k]:>7.1f} "
              f"{rss[k] / 1e6:>12.0f}")
    print(f"ratio DuckDB / mfaproof: ingest {ratios['ingest_duckdb_over_ours']}, classify "
          f"{ratios['classify_duckdb_over_ours']}; mfaproof ingest / one-core parse floor "
          f"{ratios['ingest_over_parse_floor']}")
    print(f"CPU seconds, DuckDB / mfaproof: ingest {ratios['ingest_cpu_duckdb_over_ours']}, "
          f"classify {ratios['classify_cpu_duckdb_over_ours']}")
    print(f"agree with truth: mfaproof {ours_ok}/{total}, DuckDB {theirs_ok}/{total}")
    print(json.dumps({"input_bytes": size, "duckdb_version": version, "duckdb_threads": threads,
                      "rounds": rounds, "medians": med, "cpu_medians": cpu, "ratios": ratios,
                      "agree_with_truth": {"mfaproof": ours_ok, "duckdb": theirs_ok, "of": total}}))


if __name__ == "__main__":
    main()
