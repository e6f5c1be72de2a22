package io.hookpost;

import java.time.Duration;
import java.util.Base64;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.validation.annotation.Validated;

/**
 * The one typed home of Hookpost's settings. Defaults live in {@code application.yaml} (not here), so the
 * Camel routes, which read the same keys as {@code {{hookpost.…}}} placeholders, and the Java code always
 * agree on one value.
 */
@Validated
@ConfigurationProperties("hookpost")
public record HookpostProperties(
        @NotEmpty String dataDir,
        @NotEmpty String routesDir,
        @Valid @NotNull Delivery delivery,
        @Valid @NotNull Accounts accounts,
        @Valid @NotNull Security security,
        @Valid @NotNull Events events,
        @Valid @NotNull Fanout fanout,
        @Valid @NotNull Database database,
        @Valid @NotNull Ops ops,
        @Valid @NotNull Inbound inbound,
        @Valid @NotNull Rabbitmq rabbitmq,
        @Valid @NotNull History history,
        @Valid @NotNull Portal portal,
        /** Hookpost's own version, from the build (the User-Agent of every POST). */
        String version) {

    public record Delivery(
            boolean allowHttp,
            List<String> allowedCidrs,
            @NotNull @DurationMin(millis = 1) Duration timeout,
            @NotEmpty List<@DurationMin(millis = 0) Duration> retrySchedule,
            @Min(1) int disableAfterFailures,
            @Min(0) int responseBodyLimit,
            @Min(1) int concurrency,
            @Min(1) int maxConnections,
            @Min(1) int maxConnectionsPerHost,
            @NotNull @DurationMin(millis = 0) Duration inProcessMaxDelay,
            @NotNull @DurationMin(millis = 0) Duration maxRetryAfter,
            @DecimalMin("0") @DecimalMax("1") double jitter,
            @NotNull @DurationMin(millis = 1) Duration lease,
            @Min(50) long pollIntervalMs,
            @Min(1) int pollBatch,
            @Min(1) int maxInFlightPerEndpoint,
            @Min(0) int maxWaitingPerEndpoint,
            @NotNull @DurationMin(millis = 0) Duration busyRetryDelay,
            @Min(0) int databaseRetries,
            @Min(1) long databaseRetryDelayMs) {

        /**
         * Checks of more than one setting, or of a value's form, when the settings are bound: a failure stops the
         * start with a report naming the setting, not later with a stack trace.
         */
        public Delivery {
            // a lease or timeout not positive is reported by its own constraint
            if (lease != null && timeout != null && !lease.isNegative() && !lease.isZero() && lease.compareTo(timeout) <= 0) {
                throw new IllegalArgumentException("hookpost.delivery.lease (" + lease + ") must be longer than"
                        + " hookpost.delivery.timeout (" + timeout + "): a claim must outlast an attempt, or the retry"
                        + " scheduler claims the delivery again while it is being sent");
            }
            for (String cidr : allowedCidrs == null ? List.<String>of() : allowedCidrs) {
                try {
                    io.hookpost.outbound.Cidr.parse(cidr);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("hookpost.delivery.allowed-cidrs: " + e.getMessage());
                }
            }
            // the connection pool caps a host at the pool's size: a larger per-host bound would only look granted
            if (maxConnectionsPerHost > maxConnections && maxConnections >= 1) {
                throw new IllegalArgumentException("hookpost.delivery.max-connections-per-host (" + maxConnectionsPerHost
                        + ") must not be more than hookpost.delivery.max-connections (" + maxConnections + ")");
            }
        }

        public List<String> allowedCidrs() {
            return allowedCidrs == null ? List.of() : allowedCidrs;
        }
    }

    /**
     * The account portal ({@code /portal/}): a session's link lasts {@code sessionTtl} unless it asks for another
     * time, at most {@code maxSessionTtl} (links start with {@code inbound.public-base-url} when it is set).
     * {@code frameAncestors}: the pages that may show the portal in a frame (a Content-Security-Policy
     * frame-ancestors list; {@code 'self'} alone by default).
     */
    public record Portal(@NotNull @DurationMin(seconds = 1) Duration sessionTtl,
                         @NotNull @DurationMin(seconds = 1) Duration maxSessionTtl,
                         List<@Pattern(regexp = "[^;,\\s]+", message = "must be one source, without ';', ',' or"
                                 + " spaces") String> frameAncestors) {

        public Portal {
            if (sessionTtl != null && maxSessionTtl != null && sessionTtl.compareTo(maxSessionTtl) > 0) {
                throw new IllegalArgumentException("hookpost.portal.session-ttl (" + sessionTtl + ") must not be longer"
                        + " than hookpost.portal.max-session-ttl (" + maxSessionTtl + ")");
            }
            frameAncestors = frameAncestors == null || frameAncestors.isEmpty() ? List.of("'self'") : frameAncestors;
        }
    }

    /**
     * {@code remembered} accounts known to exist are kept in memory for {@code rememberedFor}: a deleted account is
     * refused by the other instances within that time (the one that deleted it forgets it at once).
     */
    public record Accounts(@Min(1) int maxEndpoints, @Min(0) int remembered,
                           @NotNull @DurationMin(millis = 1) Duration rememberedFor) {
    }

    /**
     * {@code adminToken} empty means: generate one at first start and log it once. One given must not be guessable in
     * a few tries (the operator key sees every account): at least 16 characters, as generated ones have many more.
     * {@code idempotencyWindow}: how long an API POST's Idempotency-Key stands for its first request and answer.
     * {@code encryptionKey}: seals endpoint secrets and headers and provider credentials in the database (empty:
     * stored plain);
     * {@code previousEncryptionKeys} only open what they sealed, while a start seals it again with the current key
     * (see {@link io.hookpost.ops.SecretsAtRest}). Each is the base64 of 32 random bytes.
     */
    public record Security(@Pattern(regexp = "|.{16,}", message = "must be empty (one is generated) or at least 16"
            + " characters long") String adminToken,
                           @NotNull @DurationMin(seconds = 1) Duration idempotencyWindow,
                           String encryptionKey, List<String> previousEncryptionKeys) {
        public static final int KEY_BYTES = 32;

        @ConstructorBinding
        public Security {
            encryptionKey = encryptionKey == null ? "" : encryptionKey.trim();
            previousEncryptionKeys = previousEncryptionKeys == null ? List.of()
                    : previousEncryptionKeys.stream().map(String::trim).filter(key -> !key.isEmpty()).toList();
            if (!encryptionKey.isEmpty()) {
                keyBytes("hookpost.security.encryption-key", encryptionKey);
            }
            for (String key : previousEncryptionKeys) {
                keyBytes("hookpost.security.previous-encryption-keys", key);
            }
        }

        /** A key's 32 bytes; one that is not the base64 of 32 bytes stops the start, naming the setting. */
        public static byte[] keyBytes(String setting, String key) {
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(key);
            } catch (IllegalArgumentException e) {
                bytes = new byte[0];
            }
            if (bytes.length != KEY_BYTES) {
                throw new IllegalArgumentException(setting + " must be the base64 of " + KEY_BYTES + " random bytes"
                        + " (openssl rand -base64 32), or empty");
            }
            return bytes;
        }
    }

    /**
     * The events queue; a message whose fan-out failed is redelivered after a delay that doubles up to the max (the
     * inbound queue's failed normalisations the same): Artemis delays it itself, RabbitMQ's consumer holds it that long
     * before giving it back ({@link io.hookpost.ops.RedeliveryHold}).
     * {@code schemaRefresh}: how long an instance checks events of a type against the catalog's schema for it (or
     * none) as it last read it; a type added through this instance applies at once, on the others within this time.
     * {@code broadcastPollIntervalMs}: how often broadcasts recorded and not yet sent are looked for and sent.
     */
    public record Events(@Min(1) int maxPayloadBytes, @NotEmpty String queue,
                         @NotNull @DurationMin(millis = 0) Duration redeliveryDelay,
                         @NotNull @DurationMin(millis = 0) Duration maxRedeliveryDelay,
                         @NotNull @DurationMin(millis = 0) Duration schemaRefresh,
                         @Min(50) long broadcastPollIntervalMs) {

        public Events {
            if (redeliveryDelay != null && maxRedeliveryDelay != null && maxRedeliveryDelay.compareTo(redeliveryDelay) < 0) {
                throw new IllegalArgumentException("hookpost.events.max-redelivery-delay (" + maxRedeliveryDelay
                        + ") must not be shorter than hookpost.events.redelivery-delay (" + redeliveryDelay + ")");
            }
        }
    }

    /**
     * The events queue's consumers: how many, and how many events each finishes with before it acknowledges them
     * (and whenever the queue has nothing for it): see {@link io.hookpost.outbound.FanoutAcknowledgements}.
     */
    public record Fanout(@Min(1) int concurrency, @Min(1) int acknowledgeEvery) {
    }

    /**
     * Recording events and attempts: at most this many callers' work share one database transaction, this many such
     * transactions run at once (for each of the two), and a busy writer waits up to the linger for more work.
     * {@code compactEvery}: how often the embedded H2 database's file is compacted (zero: never; see
     * {@link io.hookpost.ops.EmbeddedDatabaseCompaction}). An API request whose transaction lost a deadlock (or waited
     * too long for a lock) is run again up to {@code lockRetries} times, {@code lockRetryDelayMs} apart.
     */
    public record Database(@Min(1) int groupCommitMax, @Min(1) int groupCommitWriters,
                           @NotNull @DurationMin(millis = 0) Duration groupCommitLinger,
                           @NotNull @DurationMin(millis = 0) Duration compactEvery,
                           @Min(0) int lockRetries, @Min(0) long lockRetryDelayMs) {
    }

    /**
     * Provider callbacks under {@code /inbound/}: the largest body accepted, how old a signed timestamp may be,
     * the queue that carries verified callbacks to normalisation, and (behind a proxy) the public base URL the
     * providers call, which Twilio's signature covers.
     */
    public record Inbound(@Min(1) int maxBodyBytes, @NotNull @DurationMin(millis = 1) Duration tolerance,
                          @NotEmpty String queue,
                          String publicBaseUrl) {

        public Inbound {
            // Twilio's signature covers the URL it called: a base URL that is not one would fail every callback later
            if (publicBaseUrl != null && !publicBaseUrl.isBlank()) {
                java.net.URI uri;
                try {
                    uri = new java.net.URI(publicBaseUrl.trim());
                } catch (java.net.URISyntaxException e) {
                    uri = null;
                }
                if (uri == null || uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null
                        || !("https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme()))) {
                    throw new IllegalArgumentException("hookpost.inbound.public-base-url (" + publicBaseUrl + ") must be"
                            + " an http:// or https:// URL with a host and no query, such as https://hooks.example.com");
                }
            }
        }

        /** The public base URL without a trailing slash, or null when Hookpost is reached directly. */
        public String publicBase() {
            return publicBaseUrl == null || publicBaseUrl.isBlank() ? null : publicBaseUrl.trim().replaceAll("/+$", "");
        }
    }

    /**
     * Operators. Operational events (endpoint.disabled, delivery.exhausted) are events of {@code accountId}: its
     * endpoints are the admin webhooks. The Hawtio console and Jolokia ({@code /actuator/hawtio},
     * {@code /actuator/jolokia}) answer only to {@code consoleUser} / {@code consolePassword}; with no password the
     * console is off (every request 401). {@code /actuator/prometheus} needs the same credentials unless
     * {@code metricsPublic}. Gauges read from the database and the backlog health check are at most
     * {@code gaugeRefresh} old, and a health check waits at most {@code healthTimeout} for the database.
     * {@code delivery.failing} is emitted at a delivery's failed attempt number {@code failingAfterAttempts}, and
     * {@code delivery.recovered} when such a delivery gets through (0: neither).
     */
    public record Ops(@NotEmpty String accountId, String consoleUser, String consolePassword, boolean metricsPublic,
                      @NotNull @DurationMin(millis = 1) Duration gaugeRefresh,
                      @NotNull @DurationMin(millis = 1) Duration healthTimeout, @Min(0) int failingAfterAttempts,
                      @Valid @NotNull Backlog backlog) {

        @ConstructorBinding
        public Ops {
            consoleUser = consoleUser == null || consoleUser.isBlank() ? "operator" : consoleUser;
            consolePassword = consolePassword == null ? "" : consolePassword;
        }

        /** Just the ops account: the console off, the built-in defaults for the rest (tests that build properties by hand). */
        public Ops(String accountId) {
            this(accountId, null, null, false, Duration.ofSeconds(5), Duration.ofSeconds(3), 4,
                    new Backlog(Duration.ofMinutes(5), 1000));
        }

        public boolean consoleEnabled() {
            return !consolePassword.isEmpty();
        }
    }

    /**
     * RabbitMQ as the queue in place of the embedded Artemis (profile {@code rabbitmq}, see
     * {@link io.hookpost.ops.RabbitMqBroker}): its AMQP URI, {@code amqp://user:password@host:port/vhost}.
     */
    public record Rabbitmq(String uri) {
    }

    /**
     * How long history is kept: deliveries delivered, failed or discarded, with their attempts, events left without
     * deliveries, and inbound callbacks handled, are deleted once {@code retention} old (by when they were created and
     * last changed, or received; zero keeps them for ever). Pending and held deliveries and their events are kept
     * however old. The purge runs every {@code purgeIntervalMs} (one instance at a time), {@code purgeBatch} rows a
     * transaction.
     */
    public record History(@NotNull @DurationMin(millis = 0) Duration retention, @Min(1000) long purgeIntervalMs,
                          @Min(1) int purgeBatch) {
    }

    /**
     * The backlog health check: a pending delivery is overdue when its attempt was due more than
     * {@code overdueAfter} ago (longer than a lease, so an attempt in progress is not overdue); the check is DOWN
     * from {@code highWaterMark} overdue deliveries on, UP with the numbers below it.
     */
    public record Backlog(@NotNull @DurationMin(millis = 1) Duration overdueAfter, @Min(1) int highWaterMark) {
    }
}
