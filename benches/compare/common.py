"""What the DuckDB comparison shares: the Graph sign-in fields DuckDB reads, with their
types (as `read_json(columns = ...)` takes them: what a DuckDB user who knows the schema
writes instead of letting it sample and guess), their names in the lake, timing a child
process with its peak RSS, and finding DuckDB and the release binary.
"""
import os, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

_V = "VARCHAR"
_TS = "TIMESTAMPTZ"

# Every Graph field the lake keeps a column of (docs/schema.md), typed as the lake types
# it; DuckDB reads only these and skips the other ~40 fields of each record.
GRAPH_SIGN_IN_TYPES = {
    "id": _V, "createdDateTime": _TS, "signInEventTypes": "VARCHAR[]", "isInteractive": "BOOLEAN",
    "userId": _V, "userPrincipalName": _V, "userDisplayName": _V, "userType": _V,
    "appId": _V, "appDisplayName": _V, "resourceId": _V, "resourceDisplayName": _V,
    "resourceTenantId": _V, "homeTenantId": _V, "crossTenantAccessType": _V,
    "servicePrincipalId": _V, "servicePrincipalName": _V, "managedServiceIdentity": "STRUCT(msiType VARCHAR)",
    "ipAddress": _V, "clientAppUsed": _V, "userAgent": _V,
    "status": "STRUCT(errorCode INTEGER, failureReason VARCHAR, additionalDetails VARCHAR)",
    "authenticationRequirement": _V,
    "authenticationRequirementPolicies": "STRUCT(requirementProvider VARCHAR, detail VARCHAR)[]",
    "authenticationDetails": "STRUCT(authenticationStepDateTime TIMESTAMPTZ, authenticationMethod VARCHAR, "
                             "authenticationMethodDetail VARCHAR, succeeded BOOLEAN, "
                             "authenticationStepResultDetail VARCHAR, authenticationStepRequirement VARCHAR)[]",
    "mfaDetail": "STRUCT(authMethod VARCHAR, authDetail VARCHAR)",
    "conditionalAccessStatus": _V,
    "appliedConditionalAccessPolicies": "STRUCT(id VARCHAR, displayName VARCHAR, result VARCHAR, "
                                        "enforcedGrantControls VARCHAR[], enforcedSessionControls VARCHAR[])[]",
    "networkLocationDetails": "STRUCT(networkType VARCHAR, networkNames VARCHAR[])[]",
    "authenticationProcessingDetails": "STRUCT(key VARCHAR, value VARCHAR)[]",
    "sessionId": _V, "correlationId": _V, "originalRequestId": _V, "uniqueTokenIdentifier": _V,
    "incomingTokenType": _V, "authenticationProtocol": _V, "tokenIssuerType": _V,
    "location": "STRUCT(city VARCHAR, state VARCHAR, countryOrRegion VARCHAR)",
    "deviceDetail": "STRUCT(deviceId VARCHAR, displayName VARCHAR, operatingSystem VARCHAR, browser VARCHAR, "
                    "isCompliant BOOLEAN, isManaged BOOLEAN, trustType VARCHAR)",
    "riskLevelDuringSignIn": _V, "riskLevelAggregated": _V, "riskState": _V, "riskDetail": _V,
}


def columns_clause():
    """`columns = {...}` for read_json: every kept field, typed."""
    return "{" + ", ".join(f"'{k}': '{v}'" for k, v in GRAPH_SIGN_IN_TYPES.items()) + "}"


_COLUMNS_HEAD = """id,
         CAST(createdDateTime AS TIMESTAMPTZ) AS created_at,
         signInEventTypes[1] AS event_type, isInteractive AS is_interactive,
         userId AS user_id, userPrincipalName AS user_principal_name,
         userDisplayName AS user_display_name, lower(userType) AS user_type,
         appId AS app_id, appDisplayName AS app_display_name,
         resourceId AS resource_id, resourceDisplayName AS resource_display_name,
         resourceTenantId AS resource_tenant_id, homeTenantId AS home_tenant_id,
         crossTenantAccessType AS cross_tenant_access_type,
         servicePrincipalId AS service_principal_id, servicePrincipalName AS service_principal_name,
         managedServiceIdentity.msiType AS managed_identity_type, ipAddress AS ip_address, clientAppUsed AS client_app_used, userAgent AS user_agent,
         status.errorCode AS error_code, status.failureReason AS failure_reason,
         status.additionalDetails AS additional_details,
         authenticationRequirement AS authentication_requirement,
         authenticationRequirementPolicies AS authentication_requirement_policies,
         authenticationDetails AS authentication_details,
"""
_COLUMNS_TAIL = """         conditionalAccessStatus AS conditional_access_status,
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
         riskState AS risk_state, riskDetail AS risk_detail"""


def sign_in_columns():
    """The SELECT list from the Graph sign-in fields to the lake's columns."""
    mfa = "mfaDetail.authMethod AS mfa_auth_method, mfaDetail.authDetail AS mfa_auth_detail"
    return f"{_COLUMNS_HEAD}         {mfa},\n{_COLUMNS_TAIL}"


def timed_rss(cmd, env=None):
    """Seconds, peak RSS (bytes), standard output and CPU seconds (user + system, which a
    busy machine changes far less than the wall time) of a child process, via wait4."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(p.pid, 0)
    elapsed = time.perf_counter() - start
    out, err = p.stdout.read(), p.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(cmd[:2])} failed: {err.decode()[-3000:]}")
    return elapsed, usage.ru_maxrss * 1024, out, usage.ru_utime + usage.ru_stime


def duckdb_module():
    """DuckDB, installed with pip (2.x) when missing."""
    try:
        import duckdb  # noqa: F401
    except ImportError:
        subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "duckdb>=2,<3"])
    import duckdb
    return duckdb


def release_binary():
    """`MFAPROOF_BIN`, or the release binary (built when missing)."""
    binary = os.environ.get("MFAPROOF_BIN", os.path.join(ROOT, "target/release/mfaproof"))
    if not os.path.exists(binary):
        subprocess.check_call(["cargo", "build", "--release", "--quiet"], cwd=ROOT)
    return binary
