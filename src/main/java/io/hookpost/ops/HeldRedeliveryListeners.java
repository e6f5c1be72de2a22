package io.hookpost.ops;

import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.Session;
import org.apache.camel.component.jms.DefaultJmsMessageListenerContainer;
import org.apache.camel.component.jms.JmsEndpoint;
import org.apache.camel.component.jms.MessageListenerContainerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jms.listener.AbstractMessageListenerContainer;
import org.springframework.stereotype.Component;

/**
 * Camel's listener containers for the queues' consuming routes ({@code heldRedeliveryListeners}: inbound-normalise;
 * the fan-out's {@link io.hookpost.outbound.FanoutAcknowledgements} builds on {@link Container}), holding a failed
 * message for a while before it is given back when the broker would redeliver it at once ({@link RedeliveryHold},
 * RabbitMQ). On Artemis there is no hold and they are Camel's own.
 */
@Component("heldRedeliveryListeners")
public class HeldRedeliveryListeners implements MessageListenerContainerFactory {
    private final RedeliveryHold hold;

    HeldRedeliveryListeners(ObjectProvider<RedeliveryHold> hold) {
        this.hold = hold.getIfAvailable();
    }

    @Override
    public AbstractMessageListenerContainer createMessageListenerContainer(JmsEndpoint endpoint) {
        return new Container(endpoint, hold);
    }

    public static class Container extends DefaultJmsMessageListenerContainer {
        /** null: the broker delays redelivery itself */
        private final RedeliveryHold hold;

        public Container(JmsEndpoint endpoint, RedeliveryHold hold) {
            super(endpoint);
            this.hold = hold;
        }

        /** The message was finished with: a later failure of it would be its first. */
        protected final void succeeded(Message message) {
            if (hold != null) {
                hold.succeeded(message);
            }
        }

        @Override
        protected void commitIfNecessary(Session session, Message message) throws JMSException {
            if (message != null) {
                succeeded(message);
            }
            super.commitIfNecessary(session, message);
        }

        /** A failed message waits here, before the container gives it back (rolls back or recovers the session). */
        @Override
        protected void invokeListener(Session session, Message message) throws JMSException {
            try {
                super.invokeListener(session, message);
            } catch (JMSException | RuntimeException | Error e) {
                if (hold != null) {
                    hold.beforeGivingBack(message, this::isRunning);
                }
                throw e;
            }
        }
    }
}
