-- a batch of the account's events created before the cutoff and left without deliveries (an event with a pending or
-- held delivery is kept with it)
SELECT e.id
FROM events e
WHERE e.account_id = :#account
  AND e.created_at < :#cutoff
  AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.account_id = e.account_id AND d.event_id = e.id)
LIMIT :#batch
