package io.hookpost;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.springframework.stereotype.Component;

/**
 * Makes sure {@code hookpost.routes-dir} exists before Camel looks for your routes in it: Camel refuses to start
 * when a directory in its routes pattern is missing, so Hookpost started anywhere but in its own folder failed.
 */
@Component
public class RoutesDirectory {
    public RoutesDirectory(HookpostProperties properties) {
        try {
            Files.createDirectories(Path.of(properties.routesDir()));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create hookpost.routes-dir " + properties.routesDir(), e);
        }
    }
}
