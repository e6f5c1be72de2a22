package io.hookpost;

import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.stereotype.Component;

/**
 * A {@code hookpost.*} setting Hookpost does not know (a misspelt {@code hookpost.delivery.timout}, say) stops the
 * start with Spring Boot's own report naming it and where it was set, instead of being ignored while the default
 * applies. {@code @ConfigurationProperties(ignoreUnknownFields = false)} would do it too, but would also count the
 * environment's {@code HOOKPOST_*} variables, which name no setting ({@code HOOKPOST_JAVA_OPTS} for bin/hookpost,
 * {@code HOOKPOST_DB_URL} for a profile's placeholder): those are left out here.
 */
@Component
class UnknownSettings {
    UnknownSettings(ConfigurableEnvironment environment) {
        Binder binder = new Binder(ConfigurationPropertySources.get(environment),
                new PropertySourcesPlaceholdersResolver(environment));
        binder.bind("hookpost", Bindable.of(HookpostProperties.class), new NoUnboundElementsBindHandler(
                BindHandler.DEFAULT, source -> !(source.getUnderlyingSource() instanceof SystemEnvironmentPropertySource)));
    }
}
