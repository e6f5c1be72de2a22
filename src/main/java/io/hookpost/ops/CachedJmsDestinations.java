package io.hookpost.ops;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.jms.Destination;
import jakarta.jms.JMSException;
import jakarta.jms.Session;
import org.springframework.jms.support.destination.CachingDestinationResolver;
import org.springframework.jms.support.destination.DynamicDestinationResolver;
import org.springframework.stereotype.Component;

/**
 * The JMS destinations the routes send to, looked up once by name. Spring's {@code DynamicDestinationResolver} asks
 * the session for the queue on every send, and an Artemis session answers that with a round trip to the broker: about
 * a tenth of an ingest request's time went there. Artemis can cache it ({@code cacheDestinations}), but not on the
 * embedded connection factory Spring Boot builds, and Spring 6.2 has no caching resolver for names, hence this one. A
 * queue or topic object is only its name, so one object serves every session (temporary destinations are not looked
 * up by name, so they never come here).
 */
@Component("cachedJmsDestinations")
public class CachedJmsDestinations implements CachingDestinationResolver {
    private final DynamicDestinationResolver lookup = new DynamicDestinationResolver();
    private final Map<String, Destination> queues = new ConcurrentHashMap<>();
    private final Map<String, Destination> topics = new ConcurrentHashMap<>();

    @Override
    public Destination resolveDestinationName(Session session, String name, boolean pubSub) throws JMSException {
        Map<String, Destination> cache = pubSub ? topics : queues;
        Destination destination = cache.get(name);
        if (destination == null) {
            destination = lookup.resolveDestinationName(session, name, pubSub);
            cache.put(name, destination);
        }
        return destination;
    }

    @Override
    public void removeFromCache(String name) {
        queues.remove(name);
        topics.remove(name);
    }

    @Override
    public void clearCache() {
        queues.clear();
        topics.clear();
    }
}
