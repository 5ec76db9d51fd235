-- What it computes: one row per account (evidence rules §10: a user_id, compared trimmed and
--   ignoring case): every enabled account of the directory (its latest row) plus every
--   account seen in user sign-ins (interactive or non-interactive; seen but not in the
--   directory counts as enabled); an account disabled in the directory and never seen is
--   left out. Its name (the directory's UPN, else the latest seen), status over the window
--   (violation, unproven, proven, not_exercised: first match), covered at the end of the
--   window (the instant covered_at: security defaults on, or an enabled MFA POLICY that reaches it for
--   every application; yes / no / unknown, and what decided it), MFA registration, whether
--   it holds the Directory Synchronization Accounts role, and its sign-ins per verdict.
-- Why it matters: R2 (no account excluded) and R8 (every account covered, including those
--   that did not sign in: break-glass and technical accounts rarely do). Accounts with the
--   most violating or unproven sign-ins come first, then those not covered, so a report that
--   lists only the first rows (all are in accounts.csv) lists those.
-- Output columns: user_principal_name, status, covered, covered_because, user_id,
--   user_display_name, user_type, in_directory, account_enabled, directory_sync_role,
--   mfa_registered, mfa_capable, methods, sign_ins, satisfied, accepted, violation,
--   unproven, not_applicable, first_sign_in, last_sign_in
WITH directory AS (
    SELECT * FROM (
        SELECT lower(regexp_replace(user_id, '^\s+|\s+$', '', 'g')) AS user_key,
               regexp_replace(user_id, '^\s+|\s+$', '', 'g') AS user_id,
               user_principal_name, display_name, user_type, account_enabled,
               row_number() OVER (PARTITION BY lower(regexp_replace(user_id, '^\s+|\s+$', '', 'g'))
                                  ORDER BY snapshot_at DESC NULLS LAST, ingest_seq DESC) AS n
        FROM directory_users
    ) WHERE n = 1
),
registration AS (
    SELECT * FROM (
        SELECT lower(regexp_replace(user_id, '^\s+|\s+$', '', 'g')) AS user_key,
               is_mfa_registered, is_mfa_capable,
               array_to_string(methods_registered, ' ') AS methods,
               row_number() OVER (PARTITION BY lower(regexp_replace(user_id, '^\s+|\s+$', '', 'g'))
                                  ORDER BY snapshot_at DESC NULLS LAST, ingest_seq DESC) AS n
        FROM user_registrations
    ) WHERE n = 1
),
sync_role AS (
    SELECT DISTINCT lower(regexp_replace(a.principal_id, '^\s+|\s+$', '', 'g')) AS user_key
    FROM role_assignments a
    JOIN vocab_technical_roles t
      ON lower(regexp_replace(a.role_definition_id, '^\s+|\s+$', '', 'g')) = lower(t.role_template_id)
),
seen AS (
    SELECT lower(regexp_replace(coalesce(user_id, ''), '^\s+|\s+$', '', 'g')) AS user_key,
           last_value(regexp_replace(coalesce(user_id, ''), '^\s+|\s+$', '', 'g') ORDER BY created_at, id) AS user_id,
           last_value(user_principal_name ORDER BY created_at, id) AS user_principal_name,
           last_value(user_display_name ORDER BY created_at, id) AS user_display_name,
           last_value(user_type ORDER BY created_at, id) AS user_type,
           count(*) AS sign_ins,
           sum(CASE WHEN verdict = 'satisfied' THEN 1 ELSE 0 END) AS satisfied,
           sum(CASE WHEN verdict = 'accepted' THEN 1 ELSE 0 END) AS accepted,
           sum(CASE WHEN verdict = 'violation' THEN 1 ELSE 0 END) AS violation,
           sum(CASE WHEN verdict = 'unproven' THEN 1 ELSE 0 END) AS unproven,
           sum(CASE WHEN verdict = 'not_applicable' THEN 1 ELSE 0 END) AS not_applicable,
           min(created_at) AS first_sign_in,
           max(created_at) AS last_sign_in
    FROM sign_in_evidence
    WHERE event_type IN ('interactive_user', 'non_interactive_user')
    GROUP BY 1
),
accounts AS (
    SELECT coalesce(d.user_key, s.user_key) AS user_key,
           coalesce(d.user_id, s.user_id) AS user_id,
           coalesce(d.user_principal_name, s.user_principal_name, '') AS user_principal_name,
           coalesce(d.display_name, s.user_display_name) AS user_display_name,
           coalesce(d.user_type, s.user_type) AS user_type,
           d.user_key IS NOT NULL AS in_directory,
           coalesce(d.account_enabled, true) AS account_enabled,
           coalesce(s.sign_ins, 0) AS sign_ins,
           coalesce(s.satisfied, 0) AS satisfied,
           coalesce(s.accepted, 0) AS accepted,
           coalesce(s.violation, 0) AS violation,
           coalesce(s.unproven, 0) AS unproven,
           coalesce(s.not_applicable, 0) AS not_applicable,
           s.first_sign_in, s.last_sign_in
    FROM directory d
    FULL OUTER JOIN seen s ON d.user_key = s.user_key
    WHERE s.user_key IS NOT NULL OR d.account_enabled IS DISTINCT FROM false
),
judged AS (
    SELECT a.*,
           ca_covered(security_defaults_at(CAST({covered_at} AS TIMESTAMP))['state'],
                      CAST({covered_at} AS TIMESTAMP), a.user_id, a.user_type) AS c
    FROM accounts a
)
SELECT * FROM (
SELECT j.user_principal_name,
       CASE WHEN j.violation > 0 THEN 'violation'
            WHEN j.unproven > 0 THEN 'unproven'
            WHEN j.satisfied + j.accepted > 0 THEN 'proven'
            ELSE 'not_exercised' END AS status,
       coalesce(j.c['covered'], 'unknown') AS covered,
       coalesce(j.c['because'], 'no window: no user sign-in and no --from/--to') AS covered_because,
       j.user_id, j.user_display_name, j.user_type, j.in_directory, j.account_enabled,
       r.user_key IS NOT NULL AS directory_sync_role,
       g.is_mfa_registered AS mfa_registered, g.is_mfa_capable AS mfa_capable, g.methods,
       CAST(j.sign_ins AS BIGINT) AS sign_ins, CAST(j.satisfied AS BIGINT) AS satisfied,
       CAST(j.accepted AS BIGINT) AS accepted, CAST(j.violation AS BIGINT) AS violation,
       CAST(j.unproven AS BIGINT) AS unproven, CAST(j.not_applicable AS BIGINT) AS not_applicable,
       j.first_sign_in, j.last_sign_in
FROM judged j
LEFT JOIN registration g ON g.user_key = j.user_key
LEFT JOIN sync_role r ON r.user_key = j.user_key
)
ORDER BY violation + unproven DESC,
         CASE covered WHEN 'no' THEN 0 WHEN 'unknown' THEN 1 ELSE 2 END,
         lower(user_principal_name), user_principal_name, user_id
