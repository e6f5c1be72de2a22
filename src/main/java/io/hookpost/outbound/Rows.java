package io.hookpost.outbound;

import java.util.Collection;

import org.springframework.stereotype.Component;

/**
 * How many rows a step's body holds, for the routes' filters ({@code method: {ref: rows, method: any}}).
 *
 * <p>Why not {@code ${body.size}}: the simple language answers it through the bean language, which builds a bean
 * expression on the body for every message and looks it up in its introspection cache by a key that hashes the body:
 * for a group commit's batch, every column of every row, payloads included. Those expressions took 2.8 % of the
 * group-commit writer's CPU in S2's profile, 2.5 % of it hashing (bench/RESULTS.md, forty-third session). Here the bean
 * is looked up once.
 */
@Component("rows")
public class Rows {

    public boolean any(Collection<?> rows) {
        return !rows.isEmpty();
    }

    public int count(Collection<?> rows) {
        return rows.size();
    }
}
