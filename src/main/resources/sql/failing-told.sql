-- whether delivery.failing was told of this delivery: its attempt of that number failed (count-failure tells it then).
-- The setting comes as text, which PostgreSQL does not compare with an integer: hence the cast
SELECT COUNT(*)
FROM attempts
WHERE delivery_id = :#delivery_id
  AND attempt_number = CAST(:#${properties:hookpost.ops.failing-after-attempts} AS INTEGER)
  AND succeeded = FALSE
