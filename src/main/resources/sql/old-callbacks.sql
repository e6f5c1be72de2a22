-- a batch of inbound callbacks received before the cutoff and handled (index inbound_callbacks_status); one still
-- 'received' is kept
SELECT id
FROM inbound_callbacks
WHERE status IN ('processed', 'ignored', 'failed')
  AND received_at < :#cutoff
LIMIT :#batch
