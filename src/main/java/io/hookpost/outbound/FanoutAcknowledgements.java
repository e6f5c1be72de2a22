package io.hookpost.outbound;

import io.hookpost.HookpostProperties;
import io.hookpost.ops.HeldRedeliveryListeners;
import io.hookpost.ops.RedeliveryHold;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.Session;
import org.apache.camel.component.jms.JmsEndpoint;
import org.apache.camel.component.jms.MessageListenerContainerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jms.listener.AbstractMessageListenerContainer;
import org.springframework.stereotype.Component;

/**
 * The fan-out consumers' listener containers ({@code fanoutListeners}, route fanout): Camel's own, except that a
 * consumer acknowledges its messages every {@code hookpost.fanout.acknowledge-every} events, and whenever the queue
 * has nothing for it, instead of after each one.
 * <p>
 * A client acknowledgement on Artemis is a commit of the consumer session's acknowledgements: a packet to the broker
 * and a commit record in its journal, for every event. Acknowledging later loses nothing: every message acknowledged
 * is one whose event and deliveries the database has committed (the route has finished with it), and a message not
 * yet acknowledged when its consumer fails or stops comes back and is recorded already, which makes it a no-op (the
 * fan-out is idempotent on the account and event id). A failure still recovers the session at once. Written here
 * because neither Spring's container nor Camel's acknowledges in batches (Spring's DUPS_OK acknowledges on receipt,
 * before the route ran: that could lose an event).
 */
@Component("fanoutListeners")
public class FanoutAcknowledgements implements MessageListenerContainerFactory {
    private final int every;
    private final RedeliveryHold hold;

    FanoutAcknowledgements(HookpostProperties properties, ObjectProvider<RedeliveryHold> hold) {
        this.every = properties.fanout().acknowledgeEvery();
        this.hold = hold.getIfAvailable();
    }

    @Override
    public AbstractMessageListenerContainer createMessageListenerContainer(JmsEndpoint endpoint) {
        return new Container(endpoint, every, hold);
    }

    /** The messages a consumer has finished with and not acknowledged; a consumer's session is its thread's. */
    private static final class Unacknowledged {
        Session session;
        Message last;
        int count;
    }

    /** Holds a failed message before giving it back where the broker would redeliver it at once (RabbitMQ). */
    static final class Container extends HeldRedeliveryListeners.Container {
        private final int every;
        private final ThreadLocal<Unacknowledged> unacknowledged = ThreadLocal.withInitial(Unacknowledged::new);

        Container(JmsEndpoint endpoint, int every, RedeliveryHold hold) {
            super(endpoint, hold);
            this.every = every;
        }

        @Override
        protected void commitIfNecessary(Session session, Message message) throws JMSException {
            if (message == null || session.getTransacted() || !isClientAcknowledge(session)) {
                super.commitIfNecessary(session, message);
                return;
            }
            succeeded(message);
            Unacknowledged pending = unacknowledged.get();
            if (pending.session != session) {
                // a new session (the old one was closed: its messages come back)
                pending.session = session;
                pending.count = 0;
            }
            pending.last = message;
            if (++pending.count >= every) {
                acknowledge(pending);
            }
        }

        @Override
        protected void noMessageReceived(Object invoker, Session session) {
            super.noMessageReceived(invoker, session);
            Unacknowledged pending = unacknowledged.get();
            if (pending.session == session && pending.count > 0) {
                try {
                    acknowledge(pending);
                } catch (JMSException e) {
                    // the messages come back and are recorded already: no-ops
                    logger.warn("Could not acknowledge " + pending.count + " fanned-out events: they come back", e);
                    pending.count = 0;
                }
            }
        }

        @Override
        protected void rollbackOnExceptionIfNecessary(Session session, Throwable ex) throws JMSException {
            // recovering the session brings back every message not acknowledged, those finished with among them
            unacknowledged.get().count = 0;
            super.rollbackOnExceptionIfNecessary(session, ex);
        }

        @Override
        protected void rollbackIfNecessary(Session session) throws JMSException {
            // a message received while the container stops is given back the same way. Acknowledging the ones finished
            // with first is not possible: a client acknowledgement would take the one just received with them
            unacknowledged.get().count = 0;
            super.rollbackIfNecessary(session);
        }

        private static void acknowledge(Unacknowledged pending) throws JMSException {
            // a client acknowledgement acknowledges every message the session has received so far
            pending.count = 0;
            Message last = pending.last;
            pending.last = null;
            last.acknowledge();
        }
    }
}
