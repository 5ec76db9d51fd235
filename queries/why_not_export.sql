-- What it computes: the why-not table of evidence rules §9 as `mfaproof classify --why-not`
--   writes it: one row per (sign-in, policy), sorted by id then policy_id.
-- Why it matters: the administrator's next question after "MFA was missing" is "which policy
--   let this through?"; this answers it per sign-in, in a file they can filter.
-- Output columns: id, policy_id, policy_name, reason
SELECT id, policy_id, policy_name, reason
FROM why_not
ORDER BY id, policy_id
