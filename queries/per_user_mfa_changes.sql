-- What it computes: every successful audit event that changes a user's per-user MFA state:
--   targets carrying the modified property StrongAuthenticationRequirement (any activity),
--   and "Disable Strong Authentication" events without that property (disabled from then on).
-- Why it matters: per-user MFA "enforced" is what makes a legacy/app-password sign-in
--   acceptable (rules 6-8); the raw values are parsed in Rust (JSON shapes, evidence rules §4).
-- Output columns: audit_id, at, activity, user_id, user_principal_name, has_property,
--   old_value, new_value
WITH ok AS (
    SELECT id, activity_date_time, activity_display_name, target_resources
    FROM audit_events_all
    WHERE result IS NULL
       OR lower(regexp_replace(result, '^\s+|\s+$', '', 'g')) IN ('', 'success')
),
targets AS (
    SELECT id AS audit_id, activity_date_time AS at, activity_display_name AS activity,
           unnest(target_resources) AS t
    FROM ok
),
target_props AS (
    SELECT audit_id, at, activity, t['id'] AS user_id,
           t['user_principal_name'] AS user_principal_name, t['modified_properties'] AS props
    FROM targets
),
props AS (
    SELECT audit_id, at, activity, user_id, user_principal_name, unnest(props) AS p
    FROM target_props
),
with_property AS (
    SELECT audit_id, at, activity, user_id, user_principal_name, true AS has_property,
           p['old_value'] AS old_value, p['new_value'] AS new_value
    FROM props
    WHERE lower(regexp_replace(p['display_name'], '^\s+|\s+$', '', 'g'))
          = 'strongauthenticationrequirement'
),
disable_without_property AS (
    SELECT t.audit_id, t.at, t.activity, t.user_id, t.user_principal_name,
           false AS has_property, CAST(NULL AS VARCHAR) AS old_value,
           CAST(NULL AS VARCHAR) AS new_value
    FROM target_props t
    WHERE lower(regexp_replace(t.activity, '^\s+|\s+$', '', 'g')) IN (
              SELECT lower(activity) FROM vocab_audit_activities
              WHERE activity = 'Disable Strong Authentication')
      AND t.audit_id NOT IN (SELECT audit_id FROM with_property)
      AND (t.user_id IS NOT NULL OR t.user_principal_name IS NOT NULL)
)
SELECT * FROM with_property
UNION ALL
SELECT * FROM disable_without_property
ORDER BY at, audit_id, user_id, user_principal_name, has_property
