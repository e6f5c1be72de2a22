SELECT status FROM message_statuses
WHERE account_id = :#account_id AND provider = :#provider AND provider_message_id = :#provider_message_id
  AND recipient_key = :#recipient_key
