-- the accounts with an event older than the cutoff (one probe of events_created per account)
SELECT a.id AS account
FROM accounts a
WHERE EXISTS (SELECT 1 FROM events e WHERE e.account_id = a.id AND e.created_at < :#cutoff)
