-- What it computes: the view session_origin: every sign-in whose class may chain to an MFA
--   origin (mfa_claim, session_mfa, remembered_device) with its origin_sign_in_id and
--   whether one was found (evidence rules §5).
-- Why it matters: a claim or remembered device is only as good as the MFA it came from;
--   the report shows the share of claims that chain back to an MFA inside the window.
--   It defines a view, so it has no ORDER BY: queries reading it order their output.
-- Output columns: id, created_at, user_principal_name, event_type, class, origin_sign_in_id,
--   chained
SELECT id, created_at, user_principal_name, event_type, class, origin_sign_in_id,
       origin_sign_in_id IS NOT NULL AS chained
FROM sign_in_evidence
WHERE class IN ('mfa_claim', 'session_mfa', 'remembered_device')
