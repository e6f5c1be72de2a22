UPDATE deliveries
SET next_attempt_at = :#next_attempt_at
WHERE id = :#id
  AND status = 'pending'
  AND (lease_until IS NULL OR lease_until < :#now)
