-- What it computes: the security-defaults state in force at the start of the evidence
--   window, and its source (evidence rules §4 lookup).
-- Why it matters: R5 — the regime in force at each moment is this state followed by the
--   changes of regime_changes.sql.
-- Output columns: at, security_defaults, source
SELECT at, sd['state'] AS security_defaults, sd['source'] AS source
FROM (SELECT CAST({window_start} AS TIMESTAMP) AS at,
             security_defaults_at(CAST({window_start} AS TIMESTAMP)) AS sd)
ORDER BY at
