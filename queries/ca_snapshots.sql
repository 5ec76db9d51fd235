-- What it computes: every conditional access policy and named location read from a Graph
--   snapshot body, with the times that make it an observation (modifiedDateTime, else
--   createdDateTime, else the snapshot's own time) and where it came from.
-- Why it matters: with the audit changes (ca_changes.sql) these give each definition at every
--   instant (evidence rules §8).
-- Output columns: kind, object_id, created_at, modified_at, snapshot_at, definition,
--   source_file, source_record
SELECT 'policy' AS kind, policy_id AS object_id, created_at, modified_at, snapshot_at,
       definition, source_file, source_record
FROM ca_policies
UNION ALL
SELECT 'location' AS kind, location_id AS object_id, created_at, modified_at, snapshot_at,
       definition, source_file, source_record
FROM named_locations
ORDER BY kind, object_id, source_file, source_record
