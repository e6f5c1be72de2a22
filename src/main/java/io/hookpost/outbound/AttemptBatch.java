package io.hookpost.outbound;

import java.util.List;
import java.util.Map;

import org.apache.camel.ExchangeProperty;
import org.springframework.stereotype.Component;

/** Route {@code record-attempts}: the attempts of a group commit that succeeded, and those that failed. */
@Component("attemptBatch")
public class AttemptBatch {

    public List<Map<String, Object>> succeeded(List<Map<String, Object>> attempts) {
        return attempts.stream().filter(AttemptBatch::succeeded).toList();
    }

    /** The failed ones of the batch's attempts, which the route keeps in {@code hookpost.attempts}. */
    public List<Map<String, Object>> failed(@ExchangeProperty("hookpost.attempts") List<Map<String, Object>> attempts) {
        return attempts.stream().filter(attempt -> !succeeded(attempt)).toList();
    }

    private static boolean succeeded(Map<String, Object> attempt) {
        return Boolean.TRUE.equals(attempt.get("succeeded"));
    }
}
