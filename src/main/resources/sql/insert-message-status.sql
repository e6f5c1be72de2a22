INSERT INTO message_statuses (account_id, provider, provider_message_id, recipient_key, status, status_rank, recipient,
                              updated_at)
SELECT :#account_id, :#provider, :#provider_message_id, :#recipient_key, :#status, :#status_rank, :#recipient, :#now
WHERE NOT EXISTS (SELECT 1 FROM message_statuses WHERE account_id = :#account_id AND provider = :#provider
                  AND provider_message_id = :#provider_message_id AND recipient_key = :#recipient_key)
