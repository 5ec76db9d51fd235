-- What it computes: every successful audit event that adds, updates or deletes a conditional
--   access policy or a named location: the target's id, and the old and new definitions
--   (Graph-shaped JSON text) of its modified property ConditionalAccessPolicy / NamedLocation;
--   a Delete event without that property is kept too (the object is gone from then on).
-- Why it matters: the definition of each policy and named location at every instant (evidence
--   rules §8) decides rule 16b, the why-not reasons (§9) and R7 (§10); the JSON is parsed in
--   Rust.
-- Output columns: audit_id, at, kind, action, target_id, has_property, old_value, new_value
WITH ok AS (
    SELECT id, activity_date_time, target_resources,
           lower(regexp_replace(activity_display_name, '^\s+|\s+$', '', 'g')) AS act
    FROM audit_events_all
    WHERE result IS NULL
       OR lower(regexp_replace(result, '^\s+|\s+$', '', 'g')) IN ('', 'success')
),
named AS (
    SELECT o.id AS audit_id, o.activity_date_time AS at,
           CASE WHEN strpos(o.act, 'named location') > 0 THEN 'location' ELSE 'policy' END AS kind,
           split_part(o.act, ' ', 1) AS action, o.target_resources
    FROM ok o
    WHERE o.act IN (SELECT lower(activity) FROM vocab_audit_activities
                    WHERE family = 'conditional_access')
),
targets AS (
    SELECT audit_id, at, kind, action, unnest(target_resources) AS t FROM named
),
target_props AS (
    SELECT audit_id, at, kind, action, t['id'] AS target_id, t['modified_properties'] AS props
    FROM targets
),
props AS (
    SELECT audit_id, at, kind, action, target_id, unnest(props) AS p FROM target_props
),
with_property AS (
    SELECT audit_id, at, kind, action, target_id, true AS has_property,
           p['old_value'] AS old_value, p['new_value'] AS new_value
    FROM props
    WHERE lower(regexp_replace(p['display_name'], '^\s+|\s+$', '', 'g'))
          = CASE kind WHEN 'policy' THEN 'conditionalaccesspolicy' ELSE 'namedlocation' END
),
delete_without_property AS (
    SELECT t.audit_id, t.at, t.kind, t.action, t.target_id, false AS has_property,
           CAST(NULL AS VARCHAR) AS old_value, CAST(NULL AS VARCHAR) AS new_value
    FROM target_props t
    WHERE t.action = 'delete'
      AND NOT EXISTS (SELECT 1 FROM with_property w
                      WHERE w.audit_id = t.audit_id AND w.target_id = t.target_id)
)
SELECT * FROM with_property WHERE target_id IS NOT NULL
UNION ALL
SELECT * FROM delete_without_property WHERE target_id IS NOT NULL
ORDER BY at, audit_id, target_id, has_property
