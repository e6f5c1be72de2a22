UPDATE deliveries
SET lease_owner = NULL, lease_until = NULL, next_attempt_at = :#next_attempt_at
WHERE id = :#id
  AND lease_owner = :#lease_owner
  AND status = 'pending'
