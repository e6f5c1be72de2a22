-- The accounts a broadcast goes to: every one not deleted, but the operators' own (its endpoints are the admin webhooks)
SELECT id
FROM accounts
WHERE deleted_at IS NULL
  AND id <> :#${properties:hookpost.ops.account-id}
ORDER BY id
