-- a batch of the account's deliveries created and last changed before the cutoff and settled (index
-- deliveries_account_status); pending and held ones are kept however old. Locked until the batch is deleted, so a
-- manual retry of one waits and then finds it gone, rather than its attempts going while it stays
SELECT id
FROM deliveries
WHERE account_id = :#account
  AND status IN ('delivered', 'failed', 'discarded')
  AND created_at < :#cutoff
  AND updated_at < :#cutoff
LIMIT :#batch
FOR UPDATE
