-- What it computes: the directory facts conditional access scope depends on: each user's
--   userType, each group's members (null when the body had no members), each role
--   assignment (principal, role template id), from the directory snapshots.
-- Why it matters: why-not reasons 4-6 and 14 and account coverage (evidence rules §9-§10)
--   decide on guests, group members and role holders.
-- Output columns: kind, object_id, member_id, user_type, members_known, snapshot_at, seq
SELECT 'user' AS kind, user_id AS object_id, CAST(NULL AS VARCHAR) AS member_id,
       user_type, true AS members_known, snapshot_at, ingest_seq AS seq
FROM directory_users
UNION ALL
SELECT 'group' AS kind, group_id AS object_id, m.member_id, CAST(NULL AS VARCHAR),
       m.members_known, m.snapshot_at, m.seq
FROM (
    SELECT g.group_id, g.snapshot_at, g.ingest_seq AS seq, g.member_ids IS NOT NULL AS members_known,
           unnest(CASE WHEN g.member_ids IS NULL OR array_length(g.member_ids) IS NULL
                            OR array_length(g.member_ids) = 0
                       THEN [CAST(NULL AS VARCHAR)] ELSE g.member_ids END) AS member_id
    FROM directory_groups g
) m
UNION ALL
SELECT 'role' AS kind, role_definition_id AS object_id, principal_id AS member_id,
       CAST(NULL AS VARCHAR), true, snapshot_at, ingest_seq
FROM role_assignments
ORDER BY kind, object_id, seq, member_id
