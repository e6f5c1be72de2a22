-- whether delivery.failing was told of this delivery: its attempt of that number failed (count-failure tells it then)
SELECT COUNT(*)
FROM attempts
WHERE delivery_id = :#delivery_id
  AND attempt_number = :#${properties:hookpost.ops.failing-after-attempts}
  AND succeeded = FALSE
