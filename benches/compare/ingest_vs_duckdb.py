#!/usr/bin/env python3
"""Ingest throughput, side by side: `mfaproof ingest` vs DuckDB `read_json` -> `COPY ... TO
parquet` (ZSTD) with the same columns, on the same Graph sign-in NDJSON file.

Usage: python3 benches/compare/ingest_vs_duckdb.py [--records N] [--workdir DIR]
Installs DuckDB 2.x with pip if missing; builds the release binary if missing. Prints a
table and a JSON line with seconds, MB/s, records/s, peak RSS and the ratio.
"""
import argparse, json, os, subprocess, sys, time, shutil, copy

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

DUCKDB_SQL = """
COPY (
  SELECT id,
         CAST(createdDateTime AS TIMESTAMPTZ) AS created_at,
         signInEventTypes[1] AS event_type, isInteractive AS is_interactive,
         userId AS user_id, userPrincipalName AS user_principal_name,
         userDisplayName AS user_display_name, lower(userType) AS user_type,
         appId AS app_id, appDisplayName AS app_display_name,
         resourceId AS resource_id, resourceDisplayName AS resource_display_name,
         resourceTenantId AS resource_tenant_id, homeTenantId AS home_tenant_id,
         crossTenantAccessType AS cross_tenant_access_type,
         servicePrincipalId AS service_principal_id, servicePrincipalName AS service_principal_name,
         ipAddress AS ip_address, clientAppUsed AS client_app_used, userAgent AS user_agent,
         status.errorCode AS error_code, status.failureReason AS failure_reason,
         status.additionalDetails AS additional_details,
         authenticationRequirement AS authentication_requirement,
         authenticationRequirementPolicies AS authentication_requirement_policies,
         authenticationDetails AS authentication_details,
         mfaDetail.authMethod AS mfa_auth_method, mfaDetail.authDetail AS mfa_auth_detail,
         conditionalAccessStatus AS conditional_access_status,
         appliedConditionalAccessPolicies AS applied_conditional_access_policies,
         networkLocationDetails AS network_location_details,
         authenticationProcessingDetails AS authentication_processing_details,
         sessionId AS session_id, correlationId AS correlation_id,
         originalRequestId AS original_request_id, uniqueTokenIdentifier AS unique_token_identifier,
         incomingTokenType AS incoming_token_type, authenticationProtocol AS authentication_protocol,
         tokenIssuerType AS token_issuer_type,
         location.city AS location_city, location.state AS location_state,
         location.countryOrRegion AS location_country_or_region,
         deviceDetail.deviceId AS device_id, deviceDetail.displayName AS device_display_name,
         deviceDetail.operatingSystem AS device_operating_system, deviceDetail.browser AS device_browser,
         deviceDetail.isCompliant AS device_is_compliant, deviceDetail.isManaged AS device_is_managed,
         deviceDetail.trustType AS device_trust_type,
         riskLevelDuringSignIn AS risk_level_during_sign_in, riskLevelAggregated AS risk_level_aggregated,
         riskState AS risk_state, riskDetail AS risk_detail
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


def timed(cmd, env=None):
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(p.pid, 0)
    elapsed = time.perf_counter() - start
    out, err = p.stdout.read(), p.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{cmd[0]} failed: {err.decode()[-2000:]}")
    return elapsed, usage.ru_maxrss * 1024, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--workdir", default=os.path.join(ROOT, "target/compare"))
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    try:
        import duckdb  # noqa: F401
    except ImportError:
        subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "duckdb>=2,<3"])
    import duckdb
    binary = os.environ.get("MFAPROOF_BIN", os.path.join(ROOT, "target/release/mfaproof"))
    if not os.path.exists(binary):
        subprocess.check_call(["cargo", "build", "--release", "--quiet"], cwd=ROOT)
    data = os.path.join(args.workdir, f"signins-{args.records}.json")
    if not os.path.exists(data):
        generate(data, args.records)
    size = os.path.getsize(data)
    with open(data, "rb") as f:  # warm the page cache for both tools alike
        while f.read(1 << 24):
            pass
    lake = os.path.join(args.workdir, "lake")
    shutil.rmtree(lake, ignore_errors=True)
    ours, ours_rss, out = timed([binary, "ingest", "--json", "--lake", lake, data])
    summary = json.loads(out)
    assert summary["counts"]["sign_ins"] == args.records, summary["counts"]
    parquet = os.path.join(args.workdir, "duckdb.parquet")
    sql = DUCKDB_SQL.format(input=data, output=parquet)
    theirs, theirs_rss, _ = timed([sys.executable, "-c", f"import duckdb; duckdb.sql({sql!r})"])
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
