-- What it computes: the view sign_in_evidence: one row per sign-in with its class, verdict,
--   reason and origin_sign_in_id per evidence rules §3 (first matching rule of 18) and §5
--   (session chaining), plus the columns the report groups by.
-- Why it matters: this is the per-sign-in proof; `mfaproof classify` exports it row by row
--   and every report figure is computed from it. It defines a view, so it has no ORDER BY:
--   every query reading it orders its own output.
-- Output columns: id, created_at, user_principal_name, user_type, event_type, class, verdict,
--   reason, origin_sign_in_id, rule, user_id, user_display_name, session_id, date,
--   client_app_used, resource_id, resource_display_name, ip_address, country, risk_level
WITH base AS (
    SELECT s.id, s.created_at, s.user_id, s.user_principal_name, s.user_display_name,
           s.user_type, s.event_type, s.session_id, s.error_code, s.date, s.client_app_used,
           s.resource_id, s.resource_display_name, s.ip_address,
           s.location_country_or_region AS country,
           s.risk_level_during_sign_in AS risk_level,
           lower(regexp_replace(coalesce(s.client_app_used, ''), '^\s+|\s+$', '', 'g')) AS client_app,
           lower(regexp_replace(coalesce(s.authentication_requirement, ''), '^\s+|\s+$', '', 'g')) AS requirement,
           mfa_evidence(s.authentication_details, s.additional_details,
                        s.authentication_requirement_policies) AS ev
    FROM sign_ins s
),
looked_up AS (
    -- The vocabularies (vocab_client_apps, vocab_interrupt_errors) by lookup, not join: a
    -- join on a key of a dozen values puts nearly every sign-in in one partition on a
    -- cluster (docs/cluster.md).
    SELECT b.*,
           coalesce(vocab_lookup('client_apps', 'client_app_used', 'kind', b.client_app) = 'modern',
                    false) AS modern,
           vocab_lookup('interrupt_errors', 'error_code', 'meaning', b.error_code) IS NOT NULL
               AS interrupted
    FROM base b
),
flags AS (
    SELECT l.*,
           (l.client_app <> '' AND NOT l.modern) AS legacy,
           (l.ev['app_password'] IS NOT NULL
            OR (l.client_app <> '' AND NOT l.modern)) AS legacy_or_app_password
    FROM looked_up l
),
stated AS (
    SELECT f.*,
           CASE WHEN f.legacy_or_app_password AND f.error_code = 0
                THEN per_user_mfa_state_at(f.user_id, f.user_principal_name, f.created_at)
           END AS per_user
    FROM flags f
),
pre AS (
    SELECT s.*,
        CASE
            WHEN s.event_type IN ('service_principal', 'managed_identity') THEN 'workload'
            WHEN s.interrupted THEN 'mfa_interrupted'
            WHEN s.error_code IS NULL OR s.error_code <> 0 THEN 'failed'
            WHEN s.ev['strong'] IS NOT NULL THEN 'strong_auth'
            WHEN s.ev['second_factor'] IS NOT NULL THEN 'mfa_completed'
            WHEN s.legacy_or_app_password
                 AND (s.per_user['state'] = 'enforced' OR s.ev['per_user'] IS NOT NULL
                      OR s.requirement = 'multifactorauthentication') THEN 'app_password'
            WHEN s.legacy_or_app_password
                 AND s.per_user['state'] IN ('disabled', 'enabled') THEN 'legacy_single_factor'
            WHEN s.legacy_or_app_password THEN 'legacy_unverified'
            WHEN s.ev['location'] IS NOT NULL THEN 'mfa_skipped_location'
            WHEN s.ev['remembered'] IS NOT NULL THEN 'remembered_device'
            WHEN s.ev['other_skip'] IS NOT NULL THEN 'mfa_skipped_other'
            WHEN s.ev['external'] IS NOT NULL THEN 'external_mfa'
            WHEN s.ev['claim'] IS NOT NULL THEN 'mfa_claim'
            WHEN s.requirement = 'multifactorauthentication' THEN 'mfa_required_success'
        END AS pre_class
    FROM stated s
),
keyed AS (
    SELECT p.*,
           lower(regexp_replace(coalesce(p.user_id, ''), '^\s+|\s+$', '', 'g')) AS user_key,
           lower(regexp_replace(coalesce(p.session_id, ''), '^\s+|\s+$', '', 'g')) AS session_key,
           coalesce(vocab_lookup('classes', 'class', 'root', p.pre_class) = 'true', false) AS is_root
    FROM pre p
),
chained AS (
    -- The latest ROOT sign-in of the same user and session at or before this one; on equal
    -- times the greater id. One running maximum over the rows sorted by user, session and
    -- time: the key is user, session (chr(1)-separated), zero-padded epoch microseconds, id,
    -- so the maximum so far is this session's latest ROOT when its prefix is this session's.
    -- Partitioned by the user key's last three characters (Entra user ids are GUIDs: 4,096
    -- buckets; their first characters can be shared by a whole tenant), so the sort and the
    -- window run in parallel, on every executor of a cluster; a user's rows share a bucket,
    -- so each running maximum is the same. Not by user or session: per-partition state for
    -- millions of tiny partitions is slow.
    SELECT k.*,
           k.user_key || chr(1) || k.session_key || chr(1) AS session_prefix,
           max(CASE WHEN k.is_root AND k.user_key <> '' AND k.session_key <> ''
                    THEN k.user_key || chr(1) || k.session_key || chr(1)
                         || lpad(CAST(CAST(k.created_at AS BIGINT) AS VARCHAR), 20, '0') || k.id
               END) OVER (PARTITION BY right(k.user_key, 3)
                          ORDER BY k.user_key, k.session_key, k.created_at
                          RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS latest_root_key
    FROM keyed k
),
decided AS (
    SELECT c.*,
           CASE WHEN c.user_key <> '' AND c.session_key <> '' AND NOT c.is_root
                     AND starts_with(c.latest_root_key, c.session_prefix)
                THEN substr(c.latest_root_key, character_length(c.session_prefix) + 21)
           END AS origin_id,
           CASE WHEN c.pre_class IS NULL THEN security_defaults_at(c.created_at) END AS sd
    FROM chained c
),
risked AS (
    -- Rule 16b: only a sign-in that reached it asks for the risk policies in force.
    SELECT d.*,
           CASE WHEN d.pre_class IS NULL AND d.origin_id IS NULL
                     AND coalesce(d.sd['state'], '') <> 'on'
                THEN ca_risk_based(d.created_at, d.risk_level) END AS risk_policy
    FROM decided d
),
classified AS (
    SELECT d.*,
        CASE
            WHEN d.pre_class IS NOT NULL THEN d.pre_class
            WHEN d.origin_id IS NOT NULL THEN 'session_mfa'
            WHEN d.sd['state'] = 'on' THEN 'security_defaults'
            WHEN d.risk_policy IS NOT NULL THEN 'risk_based'
            WHEN d.requirement = 'singlefactorauthentication' THEN 'single_factor'
            ELSE 'no_evidence'
        END AS class
    FROM risked d
)
SELECT c.id, c.created_at, c.user_principal_name, c.user_type, c.event_type, c.class,
       vocab_lookup('classes', 'class', 'verdict', c.class) AS verdict,
       CASE c.class
           WHEN 'workload' THEN concat('workload identity sign-in (', c.event_type, '): MFA does not apply')
           WHEN 'mfa_interrupted' THEN concat('MFA interrupt: error code ', CAST(c.error_code AS VARCHAR), '; the sign-in did not complete')
           WHEN 'failed' THEN CASE WHEN c.error_code IS NULL
                                   THEN 'no error code recorded: not a success'
                                   ELSE concat('failed sign-in: error code ', CAST(c.error_code AS VARCHAR)) END
           WHEN 'strong_auth' THEN concat('strong authentication: ', c.ev['strong'])
           WHEN 'mfa_completed' THEN concat('second factor: ', c.ev['second_factor'])
           WHEN 'app_password' THEN concat(
               CASE WHEN c.ev['app_password'] IS NOT NULL THEN c.ev['app_password']
                    ELSE concat('legacy client ', trim(c.client_app_used)) END,
               '; ',
               CASE WHEN c.per_user['state'] = 'enforced'
                        THEN concat('per-user MFA enforced (', c.per_user['source'], ')')
                    WHEN c.ev['per_user'] IS NOT NULL
                        THEN 'per-user MFA requirement satisfied in the record'
                    ELSE 'authentication requirement multiFactorAuthentication' END)
           WHEN 'legacy_single_factor' THEN concat(
               CASE WHEN c.ev['app_password'] IS NOT NULL THEN c.ev['app_password']
                    ELSE concat('legacy client ', trim(c.client_app_used)) END,
               '; per-user MFA ', c.per_user['state'], ' (', c.per_user['source'], ')')
           WHEN 'legacy_unverified' THEN concat(
               CASE WHEN c.ev['app_password'] IS NOT NULL THEN c.ev['app_password']
                    ELSE concat('legacy client ', trim(c.client_app_used)) END,
               '; per-user MFA state unknown (', c.per_user['source'], ')')
           WHEN 'mfa_skipped_location' THEN concat('location exemption: ', c.ev['location'])
           WHEN 'remembered_device' THEN concat(c.ev['remembered'],
               CASE WHEN c.origin_id IS NOT NULL THEN concat('; origin ', c.origin_id)
                    ELSE '; no origin in the window' END)
           WHEN 'mfa_skipped_other' THEN concat('MFA skipped: ', c.ev['other_skip'])
           WHEN 'external_mfa' THEN concat('external MFA: ', c.ev['external'])
           WHEN 'mfa_claim' THEN concat('MFA claim: ', c.ev['claim'],
               CASE WHEN c.origin_id IS NOT NULL THEN concat('; origin ', c.origin_id)
                    ELSE '; no origin in the window' END)
           WHEN 'mfa_required_success' THEN 'authentication requirement multiFactorAuthentication on a success; no step detail recognised'
           WHEN 'session_mfa' THEN concat('same session as MFA sign-in ', c.origin_id)
           WHEN 'security_defaults' THEN concat('security defaults on (', c.sd['source'], ')')
           WHEN 'risk_based' THEN concat('risk-based MFA: sign-in risk ',
               lower(trim(c.risk_level)), ' is below the levels of risk policy ', c.risk_policy,
               '; security defaults ', c.sd['state'], ' (', c.sd['source'], ')')
           WHEN 'single_factor' THEN concat('singleFactorAuthentication; security defaults ',
               c.sd['state'], ' (', c.sd['source'], ')')
           ELSE concat('nothing to decide on: no recognised detail, requirement or session origin; security defaults ',
               c.sd['state'], ' (', c.sd['source'], ')')
       END AS reason,
       CASE WHEN c.class IN ('mfa_claim', 'session_mfa', 'remembered_device') THEN c.origin_id
       END AS origin_sign_in_id,
       vocab_lookup('classes', 'class', 'rule', c.class) AS rule,
       c.user_id, c.user_display_name, c.session_id, c.date, c.client_app_used,
       c.resource_id, c.resource_display_name, c.ip_address, c.country, c.risk_level
FROM classified c
