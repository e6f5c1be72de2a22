-- S3's latency by stage, from a kept run's database. After
--   BENCH_KEEP_DATA=1 bench/run 40 ceiling,S3
-- run, with the data directory the run printed as D:
--   java -cp ~/.m2/repository/com/h2database/h2/2.5.252/h2-2.5.252.jar org.h2.tools.RunScript -showResults \
--     -url "jdbc:h2:file:$D/db/hookpost;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE" -user sa -script bench/s3-stages.sql
-- S3 must be the run's last scenario, as there: the deliveries read are those of its last @s3_seconds, set below to
-- the scenario's seconds less 2, so that no event of the warm-up before it (of the same type) is counted.
-- Stages of each delivery, in ms: pre (the load generator's wall clock at the post, data.sentMillis, to the ingest's
-- first step, events.occurred_at), queue (to the fan-out's first step, events.created_at), to_attempt (to the
-- attempt's start: its row's created_at less its duration), attempt (the receiver's answer), total (post to attempt
-- end). Then the average stages of the slowest 1 %, and the 250-ms windows (UTC) whose queue or to_attempt exceeded
-- 40 ms (compare their times with a GC log: -Xlog:gc:file=gc.log:time in HOOKPOST_JAVA_OPTS).
SET @s3_seconds = 38;
CREATE LOCAL TEMPORARY TABLE s AS
SELECT occurred_at, occurred_ms - sent_ms AS pre, queue, to_attempt, attempt, ended_ms - sent_ms AS total
FROM (SELECT e.occurred_at,
             CAST(REGEXP_SUBSTR(e.payload, '"sentMillis":([0-9]+)', 1, 1, '', 1) AS BIGINT) AS sent_ms,
             DATEDIFF('MILLISECOND', TIMESTAMP WITH TIME ZONE '1970-01-01 00:00:00Z', e.occurred_at) AS occurred_ms,
             DATEDIFF('MILLISECOND', e.occurred_at, e.created_at) AS queue,
             DATEDIFF('MILLISECOND', e.created_at, a.created_at) - a.duration_ms AS to_attempt,
             a.duration_ms AS attempt,
             DATEDIFF('MILLISECOND', TIMESTAMP WITH TIME ZONE '1970-01-01 00:00:00Z', a.created_at) AS ended_ms
      FROM events e
      JOIN deliveries d ON d.account_id = e.account_id AND d.event_id = e.id
      JOIN attempts a ON a.delivery_id = d.id
      WHERE e.type = 'bench.s1'
        AND e.occurred_at > (SELECT MAX(occurred_at) FROM events WHERE type = 'bench.s1')
                            - @s3_seconds * INTERVAL '1' SECOND) t;

SELECT COUNT(*) AS deliveries,
       PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY pre) AS pre_p50,
       PERCENTILE_CONT(0.99) WITHIN GROUP (ORDER BY pre) AS pre_p99,
       PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY queue) AS queue_p50,
       PERCENTILE_CONT(0.99) WITHIN GROUP (ORDER BY queue) AS queue_p99,
       PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY to_attempt) AS to_attempt_p50,
       PERCENTILE_CONT(0.99) WITHIN GROUP (ORDER BY to_attempt) AS to_attempt_p99,
       PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY attempt) AS attempt_p50,
       PERCENTILE_CONT(0.99) WITHIN GROUP (ORDER BY attempt) AS attempt_p99,
       PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY total) AS total_p50,
       PERCENTILE_CONT(0.99) WITHIN GROUP (ORDER BY total) AS total_p99
FROM s;

SELECT COUNT(*) AS slowest, AVG(pre) AS pre, AVG(queue) AS queue, AVG(to_attempt) AS to_attempt,
       AVG(attempt) AS attempt, AVG(total) AS total
FROM s WHERE total >= (SELECT PERCENTILE_CONT(0.99) WITHIN GROUP (ORDER BY total) FROM s);

SELECT FORMATDATETIME(DATEADD('MILLISECOND', -MOD(EXTRACT(MILLISECOND FROM occurred_at), 250),
                              DATE_TRUNC('MILLISECOND', occurred_at)), 'HH:mm:ss.SSS', 'en', 'UTC') AS window_utc,
       COUNT(*) AS deliveries, MAX(queue) AS queue_max, MAX(to_attempt) AS to_attempt_max
FROM s GROUP BY window_utc HAVING MAX(queue) > 40 OR MAX(to_attempt) > 40 ORDER BY window_utc;
