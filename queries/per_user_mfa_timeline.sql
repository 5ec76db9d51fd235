-- What it computes: the per-user MFA observations of every user in time order: each audit
--   change (old and new state) and each snapshot row (its state; unrecognised words unknown).
-- Why it matters: the state of a user at a sign-in's time (evidence rules §4 a/b/c) is looked
--   up in this timeline; the report shows it as the per-user part of the regime.
-- Output columns: user_id, user_principal_name, at, source, audit_id, old_state, new_state
SELECT user_id, user_principal_name, at, 'audit' AS source, audit_id, old_state, new_state
FROM per_user_mfa_audit_changes
UNION ALL
SELECT user_id, user_principal_name, as_of AS at, 'snapshot' AS source,
       CAST(NULL AS VARCHAR) AS audit_id, state AS old_state, state AS new_state
FROM (
    SELECT user_id, user_principal_name, as_of,
           CASE WHEN lower(regexp_replace(per_user_mfa_state, '^\s+|\s+$', '', 'g'))
                     IN ('disabled', 'enabled', 'enforced')
                THEN lower(regexp_replace(per_user_mfa_state, '^\s+|\s+$', '', 'g'))
                ELSE 'unknown' END AS state
    FROM mfa_state_snapshots
)
ORDER BY at, user_id, user_principal_name, source, audit_id, new_state
