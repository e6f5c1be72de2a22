package io.hookpost.ops;

import io.hookpost.HookpostProperties;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.springframework.boot.autoconfigure.jms.artemis.ArtemisConfigurationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Redelivery on the embedded broker. Artemis' default gives up on a message after 10 failed deliveries and,
 * with no dead-letter address, drops it: an accepted event, or a verified callback not yet normalised, would be lost
 * while the database is down. So a message whose fan-out or normalisation failed comes back forever, with a growing
 * delay so a long outage is not a busy loop. (Messages that can never become events are parked by the fan-out route
 * instead; an unreadable callback is marked failed by the normalising route.)
 */
@Configuration
public class BrokerSettings {

    @Bean
    ArtemisConfigurationCustomizer hookpostRedelivery(HookpostProperties properties) {
        HookpostProperties.Events events = properties.events();
        return configuration -> {
            for (String queue : new String[]{events.queue(), properties.inbound().queue()}) {
                configuration.addAddressSetting(queue, new AddressSettings()
                        .setMaxDeliveryAttempts(-1)
                        .setRedeliveryDelay(events.redeliveryDelay().toMillis())
                        .setRedeliveryMultiplier(2.0)
                        .setMaxRedeliveryDelay(events.maxRedeliveryDelay().toMillis()));
            }
        };
    }
}
