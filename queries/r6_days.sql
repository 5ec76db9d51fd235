-- What it computes: sign-ins per day (date partition, UTC) and event type.
-- Why it matters: R6 — a day without any user sign-in inside the window means an export
--   is missing; the report lists every such day per event type.
-- Output columns: date, event_type, sign_ins
SELECT date, event_type, count(*) AS sign_ins
FROM sign_in_evidence
GROUP BY date, event_type
ORDER BY date, event_type
