-- a batch of the account's deliveries created before the cutoff and settled (index deliveries_account_status);
-- pending and held ones are kept however old
SELECT id
FROM deliveries
WHERE account_id = :#account
  AND status IN ('delivered', 'failed', 'discarded')
  AND created_at < :#cutoff
LIMIT :#batch
