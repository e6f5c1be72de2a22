-- a batch of providers' message statuses not changed since the cutoff (index message_statuses_by_updated_at)
SELECT account_id, provider, provider_message_id, recipient_key
FROM message_statuses
WHERE updated_at < :#cutoff
LIMIT :#batch
