-- What it computes: the stretches of the window in which neither security defaults were on
--   nor a QUALIFYING policy was in force (evidence rules §10, R7), with security defaults'
--   state then.
-- Why it matters: R7 holds only when there is none: at every moment the configuration
--   enforced MFA on everyone, for every app, without exclusion or location exemption.
-- Output columns: gap_from, gap_to, security_defaults
SELECT gap_from, gap_to, security_defaults
FROM ca_r7_gaps
ORDER BY gap_from
