-- What it computes: sign-ins per day (date partition, UTC) and verdict, every event type.
-- Why it matters: R6 — the per-day picture of the evidence window: a gap or a sudden drop
--   shows a missing export, a run of violations shows when a policy stopped working.
-- Output columns: date, verdict, sign_ins
SELECT date, verdict, count(*) AS sign_ins
FROM sign_in_evidence
GROUP BY date, verdict
ORDER BY date, verdict
