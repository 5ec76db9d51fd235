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
-- named drives the join (it is the small side: problem sign-ins with a policy row), so the
-- hash table holds its rows, never every sign-in of the lake.
paired AS (
    SELECT n.id, n.created_at, n.user_principal_name, n.policy_id, n.policy_name, n.reason,
           s.applied_conditional_access_policies AS applied
    FROM named n
    JOIN sign_ins s ON s.id = n.id
),
results AS (
    SELECT id, created_at, user_principal_name, policy_id, policy_name, reason,
           unnest(applied) AS a
    FROM paired
),
matched AS (
    SELECT id, created_at, user_principal_name, policy_id, policy_name, reason,
           lower(trim(a['id'])) AS policy_key, lower(trim(a['result'])) AS entra_result
    FROM results
)
SELECT created_at, id, coalesce(user_principal_name, '') AS user_principal_name,
       policy_id, policy_name, reason, entra_result
FROM matched
WHERE policy_key = lower(trim(policy_id))
  AND entra_result IN ('success', 'failure')
ORDER BY created_at, id, policy_id
