-- What it computes: user sign-ins (interactive and non-interactive) per resource (the
--   application the token was for: resource_id, and the latest display name seen for it),
--   counted by verdict; the resources the partner security requirements name
--   (vocabulary/partner_apps.csv: Azure management, Partner Center and its API, Microsoft
--   Graph, Exchange Online) are called out by name and listed even without sign-ins.
-- Why it matters: R1 per application, so a partner sees at a glance where MFA was skipped,
--   first for the applications the partner agreement names. Called-out resources come
--   first, then those with the most violating or unproven sign-ins.
-- Output columns: resource_id, resource_display_name, partner_app, sign_ins, satisfied,
--   accepted, violation, unproven, not_applicable
WITH per_resource AS (
    SELECT lower(regexp_replace(coalesce(resource_id, ''), '^\s+|\s+$', '', 'g')) AS resource_key,
           last_value(regexp_replace(coalesce(resource_id, ''), '^\s+|\s+$', '', 'g') ORDER BY created_at, id) AS resource_id,
           last_value(resource_display_name ORDER BY created_at, id) AS resource_display_name,
           count(*) AS sign_ins,
           sum(CASE WHEN verdict = 'satisfied' THEN 1 ELSE 0 END) AS satisfied,
           sum(CASE WHEN verdict = 'accepted' THEN 1 ELSE 0 END) AS accepted,
           sum(CASE WHEN verdict = 'violation' THEN 1 ELSE 0 END) AS violation,
           sum(CASE WHEN verdict = 'unproven' THEN 1 ELSE 0 END) AS unproven,
           sum(CASE WHEN verdict = 'not_applicable' THEN 1 ELSE 0 END) AS not_applicable
    FROM sign_in_evidence
    WHERE event_type IN ('interactive_user', 'non_interactive_user')
    GROUP BY 1
)
SELECT * FROM (
SELECT coalesce(r.resource_id, p.app_id) AS resource_id,
       r.resource_display_name,
       p.app_name AS partner_app,
       CAST(coalesce(r.sign_ins, 0) AS BIGINT) AS sign_ins,
       CAST(coalesce(r.satisfied, 0) AS BIGINT) AS satisfied,
       CAST(coalesce(r.accepted, 0) AS BIGINT) AS accepted,
       CAST(coalesce(r.violation, 0) AS BIGINT) AS violation,
       CAST(coalesce(r.unproven, 0) AS BIGINT) AS unproven,
       CAST(coalesce(r.not_applicable, 0) AS BIGINT) AS not_applicable
FROM per_resource r
FULL OUTER JOIN vocab_partner_apps p ON r.resource_key = lower(p.app_id)
)
ORDER BY partner_app IS NULL, violation + unproven DESC, sign_ins DESC, resource_id
