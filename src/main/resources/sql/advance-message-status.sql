UPDATE message_statuses
SET status = :#status, status_rank = :#status_rank, updated_at = :#now
WHERE account_id = :#account_id AND provider = :#provider AND provider_message_id = :#provider_message_id
  AND recipient_key = :#recipient_key AND status_rank < :#status_rank
