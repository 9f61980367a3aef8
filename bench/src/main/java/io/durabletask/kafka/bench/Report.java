package io.durabletask.kafka.bench;

import java.util.List;

/** Everything one bench run found: where, with what options, the baselines, and one row a run. */
record Report(Machine machine, Settings settings, Baselines baselines, List<Row> rows) {}
