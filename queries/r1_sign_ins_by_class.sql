-- What it computes: sign-ins counted by event_type, user_type, class and verdict.
-- Why it matters: R1 holds only when no interactive or non-interactive user sign-in
--   (members and guests) is a violation or unproven; this is the full breakdown behind it.
-- Output columns: event_type, user_type, class, verdict, sign_ins
SELECT event_type, coalesce(user_type, '') AS user_type, class, verdict,
       count(*) AS sign_ins
FROM sign_in_evidence
GROUP BY event_type, coalesce(user_type, ''), class, verdict
ORDER BY event_type, user_type, class, verdict
