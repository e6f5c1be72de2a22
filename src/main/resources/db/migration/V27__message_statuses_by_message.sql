-- GET …/message-statuses?messageId= finds one message's statuses in the account, whatever its provider (the primary
-- key begins with the provider): without this index it read every status of the account.
CREATE INDEX message_statuses_by_message ON message_statuses (account_id, provider_message_id);
