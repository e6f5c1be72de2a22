SELECT d.id AS delivery_id, d.account_id, d.event_id, d.endpoint_id, d.attempts, d.trigger_kind, d.lease_until,
       d.retry_requested,
       e.url, COALESCE(d.envelope, e.envelope) AS envelope, e.signature_scheme, e.signature_header, e.secret, e.previous_secret,
       e.previous_secret_expires_at, e.older_secrets, e.headers, e.retry_schedule, e.disable_after_failures,
       e.rate_limit, e.oauth,
       ev.type AS event_type, ev.payload
FROM deliveries d
JOIN endpoints e ON e.id = d.endpoint_id
JOIN events ev ON ev.account_id = d.account_id AND ev.id = d.event_id
WHERE d.id = :#${exchangeProperty.hookpost.deliveryId}
  AND d.lease_owner = :#${exchangeProperty.hookpost.claim}
  AND d.status = 'pending'
  AND e.active = TRUE
  AND e.deleted_at IS NULL
