-- What it computes: the successful user sign-ins (interactive and non-interactive) whose
--   authentication details prove MFA by a method, counted by the strong method or second
--   factor that matched the vocabulary (the same `mfa_evidence` match as classification.sql,
--   so these are exactly the classes strong_auth and mfa_completed).
-- Why it matters: R1 — the MFA method mix shows how users actually gave their second
--   factor (phishing-resistant methods, app notifications, phone calls, ...).
-- Output columns: kind, method, sign_ins
WITH matched AS (
    SELECT mfa_evidence(authentication_details, additional_details,
                        authentication_requirement_policies) AS ev
    FROM sign_ins
    WHERE error_code = 0 AND event_type IN ('interactive_user', 'non_interactive_user')
)
SELECT CASE WHEN ev['strong'] IS NOT NULL THEN 'strong' ELSE 'second_factor' END AS kind,
       coalesce(ev['strong'], ev['second_factor']) AS method,
       count(*) AS sign_ins
FROM matched
WHERE ev['strong'] IS NOT NULL OR ev['second_factor'] IS NOT NULL
GROUP BY 1, 2
ORDER BY sign_ins DESC, kind, method
