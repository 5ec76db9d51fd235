-- What it computes: per event type, the sign-ins, first and last sign-in and the number of
--   days with data.
-- Why it matters: R6 — the evidence window must be covered for each event type; days with
--   no data are listed from r6_days.sql.
-- Output columns: event_type, sign_ins, first_sign_in, last_sign_in, days_with_data
SELECT event_type, count(*) AS sign_ins, min(created_at) AS first_sign_in,
       max(created_at) AS last_sign_in, count(DISTINCT date) AS days_with_data
FROM sign_in_evidence
GROUP BY event_type
ORDER BY event_type
