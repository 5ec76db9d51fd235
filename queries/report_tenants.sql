-- What it computes: the tenants the sign-ins were made into (resource_tenant_id), with
--   their sign-ins.
-- Why it matters: the report's headline names the tenant it is evidence for; more than one
--   tenant means logs of several tenants were mixed into one lake.
-- Output columns: tenant_id, sign_ins
SELECT trim(resource_tenant_id) AS tenant_id, count(*) AS sign_ins
FROM sign_ins
WHERE resource_tenant_id IS NOT NULL AND trim(resource_tenant_id) <> ''
GROUP BY trim(resource_tenant_id)
ORDER BY sign_ins DESC, tenant_id
