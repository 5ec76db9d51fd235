-- What it computes: the tenant's security-defaults observations in time order: each audit
--   change (old and new state: on/off, null when the value had no recognised shape) and
--   each snapshot.
-- Why it matters: rule 16 and the regime timeline (R5) read security defaults at a moment
--   from this timeline (evidence rules §4; unknown counts as off for rule 16).
-- Output columns: at, source, audit_id, old_state, new_state
SELECT at, 'audit' AS source, audit_id, old_state, new_state
FROM security_defaults_audit_changes
UNION ALL
SELECT as_of AS at, 'snapshot' AS source, CAST(NULL AS VARCHAR) AS audit_id,
       CASE WHEN is_enabled THEN 'on' ELSE 'off' END AS old_state,
       CASE WHEN is_enabled THEN 'on' ELSE 'off' END AS new_state
FROM security_defaults_snapshots
ORDER BY at, source, audit_id, new_state
