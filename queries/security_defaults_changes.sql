-- What it computes: every successful audit event that changes security defaults: activity
--   "Update security defaults", or "Update policy" on a target whose display name contains
--   "Security Defaults"; the raw old/new values of the target's IsEnabled property.
-- Why it matters: security defaults in force make a sign-in without other evidence
--   "accepted" (rule 16); values are parsed in Rust (true/false, quoted, one-element array).
-- Output columns: audit_id, at, activity, old_value, new_value
WITH ok AS (
    SELECT id, activity_date_time, activity_display_name, target_resources,
           lower(regexp_replace(activity_display_name, '^\s+|\s+$', '', 'g')) AS act
    FROM audit_events_all
    WHERE result IS NULL
       OR lower(regexp_replace(result, '^\s+|\s+$', '', 'g')) IN ('', 'success')
),
families AS (
    SELECT DISTINCT lower(activity) AS act, family FROM vocab_audit_activities
    WHERE family IN ('security_defaults', 'security_defaults_candidate')
),
targets AS (
    SELECT o.id AS audit_id, o.activity_date_time AS at, o.activity_display_name AS activity,
           f.family, unnest(o.target_resources) AS t
    FROM ok o JOIN families f ON o.act = f.act
),
props AS (
    SELECT audit_id, at, activity, unnest(t['modified_properties']) AS p
    FROM targets
    WHERE family = 'security_defaults'
       OR strpos(lower(t['display_name']), 'security defaults') > 0
)
SELECT audit_id, at, activity, p['old_value'] AS old_value, p['new_value'] AS new_value
FROM props
WHERE lower(regexp_replace(p['display_name'], '^\s+|\s+$', '', 'g')) = 'isenabled'
ORDER BY at, audit_id, old_value, new_value
