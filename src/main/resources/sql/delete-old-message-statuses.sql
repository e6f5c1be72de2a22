-- one JDBC batch, a row of it per status found (the key has four columns: no list of ids); a status that moved on
-- since it was found is kept
DELETE FROM message_statuses
WHERE account_id = :#account_id
  AND provider = :#provider
  AND provider_message_id = :#provider_message_id
  AND recipient_key = :#recipient_key
  AND updated_at < :#cutoff
