-- What it computes: how many observations the lake holds of the evidence that is not a
--   sign-in: per-user MFA audit changes and snapshot rows, and directory users.
-- Why it matters: R6 — without a per-user MFA observation every user's state is unknown
--   (rules 6–8), and without the directory the accounts that did not sign in are unknown;
--   the report names each missing kind as a hole in the evidence.
-- Output columns: kind, observations
SELECT 'per_user_mfa_changes' AS kind, count(*) AS observations FROM per_user_mfa_audit_changes
UNION ALL
SELECT 'per_user_mfa_snapshots' AS kind, count(*) AS observations FROM mfa_state_snapshots
UNION ALL
SELECT 'directory_users' AS kind, count(*) AS observations FROM directory_users
ORDER BY kind
