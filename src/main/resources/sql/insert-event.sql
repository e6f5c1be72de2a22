INSERT INTO events (account_id, id, type, occurred_at, payload, source, created_at, channels)
SELECT :#account_id, :#id, :#type, :#occurred_at, :#payload, :#source, :#created_at, :#channels
WHERE NOT EXISTS (SELECT 1 FROM events WHERE account_id = :#account_id AND id = :#id)
