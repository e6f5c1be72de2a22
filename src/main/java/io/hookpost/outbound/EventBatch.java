package io.hookpost.outbound;

import java.util.List;
import java.util.Map;

import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.springframework.stereotype.Component;

/** The fan-out's event row with its planned delivery rows, as the group commit records it (one or many at once). */
@Component("eventBatch")
public class EventBatch {
    static final String DELIVERIES = "deliveries";

    /** Step {@code event-with-its-deliveries}: the event row, carrying the delivery rows planned for it. */
    public Map<String, Object> withDeliveries(@ExchangeProperty("hookpost.event") Map<String, Object> event,
                                              @Body List<Map<String, Object>> deliveries) {
        event.put(DELIVERIES, deliveries);
        return event;
    }

    /**
     * Route {@code record-event}: the delivery rows of the event just inserted, to insert with it (and kept in mind
     * should the transaction fail, see {@link UnconfirmedClaims}).
     */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> deliveriesOf(@Body Map<String, Object> event) {
        UnconfirmedClaims.markWritten(event);
        return (List<Map<String, Object>>) event.get(DELIVERIES);
    }

    /** Route {@code record-events}: the delivery rows of all the events of a batch, the same for each of them. */
    public List<Map<String, Object>> deliveries(List<Map<String, Object>> events) {
        return events.stream().flatMap(event -> deliveriesOf(event).stream()).toList();
    }
}
