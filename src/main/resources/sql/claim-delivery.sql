UPDATE deliveries
SET lease_owner = :#lease_owner, lease_until = :#lease_until, retry_requested = FALSE
WHERE id = :#id
  AND status = 'pending'
  AND (lease_until IS NULL OR lease_until < :#now)
