-- What it computes: the view why_not: for every successful user sign-in (interactive or
--   non-interactive) whose verdict is violation or unproven, one row per MFA POLICY whose
--   definition is known at its created_at, with the first reason of evidence rules §9 that
--   the policy did not enforce MFA on it; or one row with reason security_defaults,
--   no_mfa_policy or policies_unknown and no policy.
-- Why it matters: a violating sign-in says that MFA was missing; this says which policy let
--   it through and why. It defines a view, so it has no ORDER BY: every query reading it
--   orders its own output.
-- Output columns: id, created_at, user_principal_name, class, verdict, policy_id,
--   policy_name, reason
WITH problems AS (
    SELECT e.id, e.created_at, e.user_principal_name, e.class, e.verdict,
           ca_why_not(security_defaults_at(e.created_at)['state'], e.created_at, e.user_id,
                      e.user_type, e.resource_id, e.client_app_used, e.ip_address, e.country,
                      e.risk_level) AS reasons
    FROM sign_in_evidence e
    WHERE e.verdict IN ('violation', 'unproven')
      AND e.event_type IN ('interactive_user', 'non_interactive_user')
),
-- ca_why_not never returns an empty list, so unnest drops no sign-in.
rows AS (
    SELECT id, created_at, user_principal_name, class, verdict, unnest(reasons) AS w
    FROM problems
)
SELECT id, created_at, user_principal_name, class, verdict, w['policy_id'] AS policy_id,
       w['policy_name'] AS policy_name, w['reason'] AS reason
FROM rows
