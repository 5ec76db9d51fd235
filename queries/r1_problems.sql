-- What it computes: every violating or unproven sign-in with its reason, and whether it is
--   younger than the settling window before the newest ingested sign-in (provisional; the
--   same anchor as r6_settling.sql: the whole lake, not the window).
-- Why it matters: these are the sign-ins that break R1 (and R3/R4); the report lists the
--   first of them and findings.csv all of them.
-- Output columns: id, created_at, user_principal_name, user_type, event_type, class,
--   verdict, reason, origin_sign_in_id, provisional
WITH newest AS (SELECT max(created_at) AS newest FROM sign_ins_all)
SELECT e.id, e.created_at, e.user_principal_name, e.user_type, e.event_type, e.class,
       e.verdict, e.reason, e.origin_sign_in_id,
       e.created_at > n.newest - INTERVAL '{settling_hours} hours' AS provisional
FROM sign_in_evidence e CROSS JOIN newest n
WHERE e.verdict IN ('violation', 'unproven')
ORDER BY e.created_at, e.id
