-- What it computes: sign-ins that skipped MFA because of a trusted location or IP
--   (class mfa_skipped_location), per account and reason.
-- Why it matters: R3 — the CSP requirements allow no trusted-location exemption.
-- Output columns: user_principal_name, reason, sign_ins, first_seen, last_seen
SELECT coalesce(user_principal_name, '') AS user_principal_name, reason,
       count(*) AS sign_ins, min(created_at) AS first_seen, max(created_at) AS last_seen
FROM sign_in_evidence
WHERE class = 'mfa_skipped_location'
GROUP BY coalesce(user_principal_name, ''), reason
ORDER BY user_principal_name, reason
