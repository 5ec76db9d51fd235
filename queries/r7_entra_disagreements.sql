-- What it computes: the why-not rows where Entra's own result for that policy on that sign-in
--   (appliedConditionalAccessPolicies) is success or failure, although the definition in force
--   says the policy did not apply (reasons 1 to 13 of evidence rules §9).
-- Why it matters: a disagreement means the definition we rebuilt from snapshots and audit
--   events is not the one Entra evaluated (a change missing from the logs, or a condition
--   these rules do not model): the why-not reason for that pair is not proof.
-- Output columns: created_at, id, user_principal_name, policy_id, policy_name, reason,
--   entra_result
WITH named AS (
    SELECT id, created_at, user_principal_name, policy_id, policy_name, reason
    FROM why_not
    WHERE policy_id IS NOT NULL
      AND reason NOT IN ('membership_unknown', 'location_unknown', 'unexplained')
),
applied AS (
    SELECT s.id, unnest(s.applied_conditional_access_policies) AS a
    FROM sign_ins s
    WHERE s.id IN (SELECT id FROM named)
),
results AS (
    SELECT id, lower(trim(a['id'])) AS policy_key, lower(trim(a['result'])) AS entra_result
    FROM applied
)
SELECT n.created_at, n.id, coalesce(n.user_principal_name, '') AS user_principal_name,
       n.policy_id, n.policy_name, n.reason, r.entra_result
FROM named n
JOIN results r ON r.id = n.id AND r.policy_key = lower(trim(n.policy_id))
WHERE r.entra_result IN ('success', 'failure')
ORDER BY n.created_at, n.id, n.policy_id
