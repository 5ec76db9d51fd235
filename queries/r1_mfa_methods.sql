-- What it computes: the user sign-ins (interactive and non-interactive) of the classes
--   strong_auth and mfa_completed, counted by the strong method or second factor that
--   proved MFA: the text the vocabulary matched, which classification.sql puts in the
--   reason after 'strong authentication: ' or 'second factor: '.
-- Why it matters: R1 — the MFA method mix shows how users actually gave their second
--   factor (phishing-resistant methods, app notifications, phone calls, ...).
-- Output columns: kind, method, sign_ins
SELECT CASE WHEN class = 'strong_auth' THEN 'strong' ELSE 'second_factor' END AS kind,
       CASE WHEN starts_with(reason, 'strong authentication: ')
                THEN substr(reason, 1 + length('strong authentication: '))
            WHEN starts_with(reason, 'second factor: ')
                THEN substr(reason, 1 + length('second factor: '))
            ELSE reason END AS method,
       count(*) AS sign_ins
FROM sign_in_evidence
WHERE class IN ('strong_auth', 'mfa_completed')
  AND event_type IN ('interactive_user', 'non_interactive_user')
GROUP BY 1, 2
ORDER BY sign_ins DESC, kind, method
