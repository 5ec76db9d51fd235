-- What it computes: audit events per day (date partition, UTC) inside the window.
-- Why it matters: R6 — per-user MFA, security defaults and conditional access over time
--   rest on the audit log; a day of the window without any audit event probably means an
--   audit export is missing, and a change made that day would be unseen. The report names
--   every such day as a hole in the evidence.
-- Output columns: date, audit_events
SELECT date, count(*) AS audit_events
FROM audit_events
GROUP BY date
ORDER BY date
