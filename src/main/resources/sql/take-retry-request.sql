-- A manual retry asked for before this attempt began: this attempt is that retry
UPDATE deliveries
SET retry_requested = FALSE
WHERE id = :#${exchangeProperty.hookpost.deliveryId}
  AND lease_owner = :#${exchangeProperty.hookpost.claim}
