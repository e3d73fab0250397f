-- The call-next claim of bench/_measure.py raw_ceiling(), for pgbench (bench/queue_bench.py --pgbench,
-- or alone: pgbench -n -M prepared -f bench/pgbench_claim.sql -D halls=4 -c 32 -j 2 -T 10 <database>).
-- Table bench_ticket is made by raw_ceiling()/pgbench_ceiling(); :client_id picks the counter and the hall.
\set hall :client_id % :halls
UPDATE bench_ticket SET status = 'called', counter_id = :client_id WHERE id = (SELECT id FROM bench_ticket WHERE hall_id = :hall AND status = 'waiting' ORDER BY arrival_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id;
