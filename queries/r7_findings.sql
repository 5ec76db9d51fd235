-- What it computes: the configuration findings of every MFA policy version in force at some
--   moment of the window (evidence rules §10), each with the violating or unproven sign-ins
--   that escaped that version through the reasons the finding stands for.
-- Why it matters: R7 asks whether the configuration itself enforces MFA on everyone with no
--   exclusion and no location exemption; each finding is a way it does not, shown with what
--   it let through.
-- Output columns: policy_id, policy_name, version_from, finding, version_to, escaped_sign_ins
SELECT f.policy_id, f.policy_name, f.version_from, f.finding, f.version_to,
       count(w.id) AS escaped_sign_ins
FROM ca_policy_findings f
LEFT JOIN vocab_finding_reasons m ON m.finding = f.finding
LEFT JOIN why_not w
       ON w.reason = m.reason
      AND lower(trim(w.policy_id)) = lower(trim(f.policy_id))
      AND (f.version_from IS NULL OR w.created_at >= f.version_from)
      AND (f.version_to IS NULL OR w.created_at < f.version_to)
GROUP BY f.policy_id, f.policy_name, f.version_from, f.finding, f.version_to
ORDER BY f.policy_id, f.version_from, f.finding
