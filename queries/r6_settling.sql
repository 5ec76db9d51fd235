-- What it computes: the newest ingested sign-in (over the whole lake, whatever the window)
--   and the sign-ins of the window younger than the settling window before it
--   (provisional), per verdict.
-- Why it matters: R6 — Entra completes MFA details hours late, so recent verdicts may
--   still change; they are counted as provisional. The window is anchored to the newest
--   sign-in ingested (evidence rules §7), not the newest inside --from/--to: a report on an
--   older window of a lake that has since grown has nothing provisional.
-- Output columns: newest_sign_in, settling_hours, verdict, provisional_sign_ins
WITH newest AS (SELECT max(created_at) AS newest FROM sign_ins_all)
SELECT n.newest AS newest_sign_in, CAST({settling_hours} AS BIGINT) AS settling_hours,
       e.verdict, count(*) AS provisional_sign_ins
FROM sign_in_evidence e CROSS JOIN newest n
WHERE e.created_at > n.newest - INTERVAL '{settling_hours} hours'
GROUP BY n.newest, e.verdict
ORDER BY e.verdict
