-- A message sent to several recipients (SendGrid's X-Message-Id, Mailgun's and Postmark's message ids name the whole
-- send) has a status per recipient: one recipient's bounce is not lost behind another's delivery. recipient_key is the
-- recipient the provider names, '' when it names none. A new table, copied and renamed, because dropping a primary key
-- is written differently in H2 and PostgreSQL.
CREATE TABLE message_recipient_statuses (
    account_id          VARCHAR(64)  NOT NULL,
    provider            VARCHAR(40)  NOT NULL,
    provider_message_id VARCHAR(300) NOT NULL,
    recipient_key       VARCHAR(500) NOT NULL,
    status              VARCHAR(40)  NOT NULL,
    status_rank         INTEGER      NOT NULL,
    recipient           VARCHAR(500),
    updated_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (account_id, provider, provider_message_id, recipient_key)
);
INSERT INTO message_recipient_statuses (account_id, provider, provider_message_id, recipient_key, status, status_rank,
                                        recipient, updated_at)
SELECT account_id, provider, provider_message_id, COALESCE(recipient, ''), status, status_rank, recipient, updated_at
FROM message_statuses;
DROP TABLE message_statuses;
ALTER TABLE message_recipient_statuses RENAME TO message_statuses;
