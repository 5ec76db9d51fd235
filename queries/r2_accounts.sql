-- What it computes: one row per user account that signed in (interactive or
--   non-interactive): sign-ins, counts per verdict, first and last seen.
-- Why it matters: R2 (no account excluded) needs every account visible, emergency-access
--   and technical accounts included; the report lists those on their own. Accounts with
--   the most violating or unproven sign-ins come first, so a report that lists only the
--   first rows (all are in accounts.csv) lists those.
-- Output columns: user_principal_name, user_id, user_display_name, sign_ins, satisfied,
--   accepted, violation, unproven, not_applicable, first_seen, last_seen
SELECT * FROM (
SELECT coalesce(user_principal_name, '') AS user_principal_name,
       coalesce(user_id, '') AS user_id,
       max(user_display_name) AS user_display_name,
       count(*) AS sign_ins,
       sum(CASE WHEN verdict = 'satisfied' THEN 1 ELSE 0 END) AS satisfied,
       sum(CASE WHEN verdict = 'accepted' THEN 1 ELSE 0 END) AS accepted,
       sum(CASE WHEN verdict = 'violation' THEN 1 ELSE 0 END) AS violation,
       sum(CASE WHEN verdict = 'unproven' THEN 1 ELSE 0 END) AS unproven,
       sum(CASE WHEN verdict = 'not_applicable' THEN 1 ELSE 0 END) AS not_applicable,
       min(created_at) AS first_seen,
       max(created_at) AS last_seen
FROM sign_in_evidence
WHERE event_type IN ('interactive_user', 'non_interactive_user')
GROUP BY coalesce(user_principal_name, ''), coalesce(user_id, '')
)
ORDER BY violation + unproven DESC, lower(user_principal_name), user_principal_name, user_id
