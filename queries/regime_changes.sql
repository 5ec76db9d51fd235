-- What it computes: the audit changes inside the window to conditional access policies and
--   named locations, security defaults, per-user MFA, authentication methods and app
--   passwords, with the parsed old/new state where the rules define one. Authentication
--   methods are the activities named so in the vocabulary plus any event (typically
--   "Update user") whose target carries the modified property StrongAuthenticationMethod
--   (a method registration changed), one row per such target.
-- Why it matters: R5 — the regime and its changes must be known; an auditor reads what
--   changed, when and by whom.
-- Output columns: at, family, activity, audit_id, target, initiated_by, old_state, new_state
WITH families AS (
    SELECT DISTINCT lower(activity) AS act, family FROM vocab_audit_activities
    WHERE family IN ('conditional_access', 'auth_methods', 'app_passwords')
),
named AS (
    SELECT a.activity_date_time AS at, f.family, a.activity_display_name AS activity,
           a.id AS audit_id,
           a.target_resources[1]['display_name'] AS target,
           coalesce(a.initiated_by['user_principal_name'], a.initiated_by['app_display_name']) AS initiated_by,
           CAST(NULL AS VARCHAR) AS old_state, CAST(NULL AS VARCHAR) AS new_state
    FROM audit_events a
    JOIN families f ON lower(regexp_replace(a.activity_display_name, '^\s+|\s+$', '', 'g')) = f.act
),
initiators AS (
    SELECT id, coalesce(initiated_by['user_principal_name'], initiated_by['app_display_name']) AS initiated_by
    FROM audit_events
),
per_user AS (
    SELECT c.at, 'per_user_mfa' AS family, c.activity, c.audit_id,
           coalesce(c.user_principal_name, c.user_id) AS target, i.initiated_by,
           c.old_state, c.new_state
    FROM per_user_mfa_audit_changes c JOIN initiators i ON i.id = c.audit_id
),
method_targets AS (
    SELECT id AS audit_id, activity_date_time AS at, activity_display_name AS activity,
           unnest(target_resources) AS t
    FROM audit_events
),
method_props AS (
    SELECT audit_id, at, activity,
           coalesce(t['user_principal_name'], t['display_name'], t['id']) AS target,
           unnest(t['modified_properties']) AS p
    FROM method_targets
),
auth_method_changes AS (
    SELECT DISTINCT m.at, 'auth_methods' AS family, m.activity, m.audit_id, m.target,
           i.initiated_by, CAST(NULL AS VARCHAR) AS old_state, CAST(NULL AS VARCHAR) AS new_state
    FROM method_props m JOIN initiators i ON i.id = m.audit_id
    WHERE lower(regexp_replace(m.p['display_name'], '^\s+|\s+$', '', 'g')) = 'strongauthenticationmethod'
      AND m.audit_id NOT IN (SELECT audit_id FROM named WHERE family = 'auth_methods')
),
security_defaults AS (
    SELECT c.at, 'security_defaults' AS family, c.activity, c.audit_id,
           'Security Defaults' AS target, i.initiated_by, c.old_state, c.new_state
    FROM security_defaults_audit_changes c JOIN initiators i ON i.id = c.audit_id
)
SELECT * FROM named
UNION ALL SELECT * FROM per_user
UNION ALL SELECT * FROM security_defaults
UNION ALL SELECT * FROM auth_method_changes
ORDER BY at, audit_id, family, target
