UPDATE deliveries
SET lease_owner = NULL, lease_until = NULL
WHERE id = :#${exchangeProperty.hookpost.deliveryId}
  AND lease_owner = :#${exchangeProperty.hookpost.claim}
  AND status = 'pending'
