-- What it computes: every (violating or unproven sign-in, MFA policy) pair with the reason the
--   policy did not enforce MFA on it (evidence rules §9), oldest first.
-- Why it matters: the list behind the per-policy counts, each row checkable against the
--   sign-in log and the policy definition at that moment.
-- Output columns: created_at, id, user_principal_name, class, policy_id, policy_name, reason
SELECT created_at, id, coalesce(user_principal_name, '') AS user_principal_name, class,
       coalesce(policy_id, '') AS policy_id, coalesce(policy_name, '') AS policy_name, reason
FROM why_not
ORDER BY created_at, id, policy_id
