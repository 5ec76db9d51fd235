-- What it computes: per MFA policy (or none, for the one-row reasons) and why-not reason, how
--   many violating or unproven user sign-ins escaped it that way, and how many distinct
--   accounts.
-- Why it matters: shows which exclusion or condition of which policy lets sign-ins through
--   without MFA (evidence rules §9), the fix an administrator needs.
-- Output columns: policy_id, policy_name, reason, sign_ins, accounts
SELECT coalesce(policy_id, '') AS policy_id, coalesce(policy_name, '') AS policy_name, reason,
       count(*) AS sign_ins, count(DISTINCT lower(coalesce(user_principal_name, ''))) AS accounts
FROM why_not
GROUP BY coalesce(policy_id, ''), coalesce(policy_name, ''), reason
ORDER BY policy_id, reason, policy_name
