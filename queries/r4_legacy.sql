-- What it computes: successful legacy-protocol and app-password sign-ins split into
--   app_password (per-user MFA enforced), legacy_single_factor and legacy_unverified, per
--   client app.
-- Why it matters: R4 — legacy authentication is acceptable only with app passwords under
--   enforced per-user MFA.
-- Output columns: class, verdict, client_app_used, sign_ins, accounts
SELECT class, verdict, coalesce(trim(client_app_used), '') AS client_app_used,
       count(*) AS sign_ins, count(DISTINCT user_principal_name) AS accounts
FROM sign_in_evidence
WHERE class IN ('app_password', 'legacy_single_factor', 'legacy_unverified')
GROUP BY class, verdict, coalesce(trim(client_app_used), '')
ORDER BY class, client_app_used
