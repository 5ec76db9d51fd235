-- What it computes: per chained class (mfa_claim, session_mfa, remembered_device), the
--   sign-ins and how many chain to an MFA origin inside the evidence window.
-- Why it matters: a claim is only evidence of MFA performed somewhere; the share that
--   chains to an MFA sign-in inside the window shows how much of it the logs prove.
-- Output columns: class, sign_ins, chained, share_chained
SELECT class, count(*) AS sign_ins,
       sum(CASE WHEN chained THEN 1 ELSE 0 END) AS chained,
       round(CAST(sum(CASE WHEN chained THEN 1 ELSE 0 END) AS DOUBLE) / count(*), 4) AS share_chained
FROM session_origin
GROUP BY class
ORDER BY class
