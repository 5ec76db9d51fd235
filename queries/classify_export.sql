-- What it computes: the per-sign-in export of evidence rules §6: one row per sign-in with
--   exactly the contract's columns, sorted by created_at then id.
-- Why it matters: an independent implementation compares this export row by row.
-- Output columns: id, created_at, user_principal_name, user_type, event_type, class,
--   verdict, reason, origin_sign_in_id
SELECT id, created_at, user_principal_name, user_type, event_type, class, verdict, reason,
       origin_sign_in_id
FROM sign_in_evidence
ORDER BY created_at, id
