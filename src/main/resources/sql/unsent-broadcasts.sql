-- Broadcasts recorded and not yet sent (send-broadcasts), oldest first
SELECT id, payload, channels, requested_at
FROM broadcasts
WHERE sent_at IS NULL
ORDER BY created_at
