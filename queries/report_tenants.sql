-- What it computes: the tenants the sign-ins belong to (the lake's tenant_id partition:
--   from the record, pull's tenant or ingest --tenant), with their sign-ins.
-- Why it matters: the report's headline names the tenant it is evidence for; a report is
--   one tenant's (evaluate reads each tenant of a lake on its own evidence), so this lists
--   exactly one tenant whenever the lake holds sign-ins.
-- Output columns: tenant_id, sign_ins
SELECT tenant_id, count(*) AS sign_ins
FROM sign_ins
GROUP BY tenant_id
ORDER BY sign_ins DESC, tenant_id
