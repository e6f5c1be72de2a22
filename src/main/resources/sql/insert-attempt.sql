INSERT INTO attempts (id, delivery_id, endpoint_id, account_id, attempt_number, trigger_kind, request_url,
                      request_envelope, request_headers, response_status, response_headers, response_body,
                      duration_ms, error, succeeded, created_at)
VALUES (:#id, :#delivery_id, :#endpoint_id, :#account_id, :#attempt_number, :#trigger_kind, :#request_url,
        :#request_envelope, :#request_headers, :#response_status, :#response_headers, :#response_body,
        :#duration_ms, :#error, :#succeeded, :#created_at)
