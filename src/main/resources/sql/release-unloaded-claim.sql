-- The deliver route could not load the delivery under its claim: it is no longer pending under it, or its endpoint is
-- disabled, paused or deleted. The claim is let go. One still pending whose endpoint is off was fanned out as the
-- endpoint was being turned off, after its pending deliveries were held (or discarded): it is held (or discarded) as
-- they were, so a recover sends it with them (and a resume alone sends none of them).
UPDATE deliveries
SET lease_owner = NULL, lease_until = NULL,
    status = COALESCE((SELECT CASE WHEN e.deleted_at IS NOT NULL THEN 'discarded' WHEN e.active = FALSE THEN 'held' END
                       FROM endpoints e WHERE e.id = deliveries.endpoint_id), status),
    next_attempt_at = CASE WHEN EXISTS (SELECT 1 FROM endpoints e WHERE e.id = deliveries.endpoint_id
                                        AND (e.deleted_at IS NOT NULL OR e.active = FALSE))
                           THEN NULL ELSE next_attempt_at END
WHERE id = :#${exchangeProperty.hookpost.deliveryId}
  AND lease_owner = :#${exchangeProperty.hookpost.claim}
  AND status = 'pending'
