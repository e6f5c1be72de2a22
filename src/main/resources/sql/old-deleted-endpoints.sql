-- a batch of endpoints deleted before the cutoff with no delivery left (their discarded ones purged already): their
-- rows, secrets included, are kept until then for the deliveries' and attempts' history
SELECT e.id
FROM endpoints e
WHERE e.deleted_at < :#cutoff
  AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.endpoint_id = e.id)
LIMIT :#batch
