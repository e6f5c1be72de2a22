package io.hookpost.outbound;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hookpost.HookpostProperties;
import io.hookpost.Ids;
import io.hookpost.IsoTimes;
import io.hookpost.api.Accounts;
import io.hookpost.api.ApiAccess;
import io.hookpost.api.ProblemException;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.springframework.stereotype.Component;

/**
 * Reads and validates events, the same rules for {@code POST …/events} and for JSON put straight on the
 * events queue: {@code {type, id?, timestamp?, data, channels?}} (plus {@code account} on the queue). Produces the
 * envelope {@code {id, type, timestamp, data}} once, so every attempt sends the same bytes; the {@link Channels} choose
 * endpoints and are not sent.
 */
@Component("eventReader")
public class EventReader {
    public static final String EVENT_ID = "hookpost.eventId";
    /** The envelope read at ingest, so the later ingest steps need not parse the message again. */
    public static final String ENVELOPE = "hookpost.envelope";
    /** The channels read at ingest (a column's text, null for none), for the idempotency key's check. */
    public static final String CHANNELS = "hookpost.channels";
    /** An event type's name: the catalog's rule too, so every type an event may carry can be catalogued. */
    public static final Pattern TYPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_\\-]*(\\.[A-Za-z0-9_\\-]+)*");
    public static final int TYPE_MAX = 200;
    public static final String TYPE_RULE = "'type' is letters, digits, '_' and '-' in dot-separated parts, e.g."
            + " \"host.offline\" (at most " + TYPE_MAX + " characters).";
    static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:\\-]{0,199}");
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ISO_INSTANT;
    /** As the OpenAPI document gives it, and as long as an event id may be. */
    static final int MAX_IDEMPOTENCY_KEY = 200;

    /**
     * Exact numbers: {@code 1.10} stays {@code 1.10} in the envelope (and in an endpoint's {@link Envelope}). A character
     * outside the BMP (an emoji) is written as its four UTF-8 bytes, not as Jackson 2's default of two escapes (12 bytes),
     * which made an event three times its size on the queue and in the event-shaped envelope.
     */
    static final ObjectMapper EXACT_JSON = JsonMapper.builder()
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
            .build();
    /**
     * A request's JSON: a field given twice is refused (400), as the API's other bodies are (RequestBodies); which of
     * the two a reader took would differ between parsers. Queued messages are read as before.
     */
    private static final ObjectReader REQUEST_JSON = EXACT_JSON.reader()
            .with(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION);
    /** Room on the queue for what a message adds to an event: its account, and an id and timestamp where none came. */
    private static final int QUEUE_OVERHEAD_BYTES = 1024;
    private final ObjectMapper json = EXACT_JSON;
    private final int maxPayloadBytes;
    private final Accounts accounts;

    public EventReader(HookpostProperties properties, Accounts accounts) {
        this.maxPayloadBytes = properties.events().maxPayloadBytes();
        this.accounts = accounts;
    }

    /** Step {@code check-account} of the fan-out, on the event row {@link #fromQueue} made. */
    public void checkAccount(@Body Map<String, Object> event) {
        Object account = event.get("account_id");
        if (!accounts.exists((String) account)) {
            throw new InvalidEventException("unknown account " + account);
        }
    }

    /**
     * Step {@code validate-event} of the ingest route: checks the request and returns the queue message.
     * Without an id, one is derived from the {@code Idempotency-Key} (so a repeated request dedupes in
     * the fan-out) or generated.
     */
    public byte[] fromRequest(Exchange exchange, @Header("acct") String account,
                              @Header("Idempotency-Key") String idempotencyKey) throws IOException {
        ObjectNode request = readRequest(exchange, account, idempotencyKey,
                "'account' is taken from the URL; remove it from the body.");
        if (!request.hasNonNull("id") && idempotencyKey != null && !idempotencyKey.isBlank()) {
            exchange.setProperty(IdempotencyKeys.KEY, idempotencyKey);
            exchange.setProperty(IdempotencyKeys.TIMESTAMP_GIVEN, request.hasNonNull("timestamp"));
        }
        return json.writeValueAsBytes(message(account, exchange.getProperty(ENVELOPE, ObjectNode.class),
                exchange.getProperty(CHANNELS, String.class)));
    }

    /**
     * Step {@code validate-broadcast} of the broadcast route: checks the request as {@link #fromRequest} does, for
     * every account at once; {@link #forAccount(Map, Exchange)} then writes each account's queue message. Without
     * an id, the one derived from the {@code Idempotency-Key} is the same whenever the broadcast is sent again, so a
     * resend after a failure part-way reaches the accounts it missed and none twice.
     */
    public void fromBroadcastRequest(Exchange exchange, @Header("Idempotency-Key") String idempotencyKey)
            throws IOException {
        ApiAccess.requireOperator(exchange);
        // '*' is in no account id: a broadcast's key never derives the id of an account's own event
        ObjectNode request = readRequest(exchange, "*", idempotencyKey,
                "A broadcast goes to every account; remove 'account'.");
        exchange.setProperty(Broadcasts.TIMESTAMP_GIVEN, request.hasNonNull("timestamp"));
    }

    /** Step {@code address-broadcast}: the broadcast's queue message for one account (body: its row). */
    public byte[] forAccount(@Body Map<String, Object> account, Exchange exchange) throws JsonProcessingException {
        return json.writeValueAsBytes(message((String) account.get("id"),
                exchange.getProperty(ENVELOPE, ObjectNode.class), exchange.getProperty(CHANNELS, String.class)));
    }

    /** The queue message of an event for an account: {account, id, type, timestamp, data, channels?}. */
    private ObjectNode message(String account, ObjectNode event, String channels) {
        ObjectNode message = json.createObjectNode();
        message.put("account", account);
        message.setAll(event);
        if (channels != null) {
            ArrayNode names = message.putArray("channels");
            Channels.list(channels).forEach(names::add);
        }
        return message;
    }

    /** The request's event, checked, with the exchange's properties set; returns the request's JSON as sent. */
    private ObjectNode readRequest(Exchange exchange, String idNamespace, String idempotencyKey, String noAccount)
            throws IOException {
        byte[] body = exchange.getIn().getBody(byte[].class);
        if (body == null || body.length == 0) {
            throw ProblemException.badRequest("The request body must be a JSON event {type, id?, timestamp?, data}.");
        }
        if (body.length > maxPayloadBytes) {
            throw ProblemException.tooLarge("The event is " + body.length + " bytes; the limit is "
                    + maxPayloadBytes + " bytes (hookpost.events.max-payload-bytes).");
        }
        if (idempotencyKey != null && idempotencyKey.length() > MAX_IDEMPOTENCY_KEY) {
            throw ProblemException.badRequest("The Idempotency-Key header may hold at most " + MAX_IDEMPOTENCY_KEY
                    + " characters.");
        }
        JsonNode node = parse(body);
        if (node.has("account")) {
            throw ProblemException.badRequest(noAccount);
        }
        Parsed read = normalise(node, () -> {
            if (idempotencyKey != null && !idempotencyKey.isBlank()) {
                return "evt_" + sha256Hex(idNamespace + "\n" + idempotencyKey).substring(0, 32);
            }
            return Ids.next("evt");
        }, ProblemException::badRequest);
        ObjectNode event = read.envelope();
        exchange.setProperty(EVENT_ID, event.get("id").asText());
        exchange.setProperty(ENVELOPE, event);
        exchange.setProperty(CHANNELS, read.channels());
        return (ObjectNode) node;
    }

    /**
     * Step {@code read-event} of the fan-out: validates a queue message and returns the event row,
     * with the envelope as payload. A message without an id gets one derived from its JMS message id (or, with none,
     * from its bytes), which stays the same on redelivery, so a redelivered message still dedupes.
     */
    public Map<String, Object> fromQueue(byte[] body, @Header("JMSMessageID") String messageId,
                                         @Header("hookpostSource") String source) {
        if (body == null || body.length == 0) {
            throw new InvalidEventException("empty message");
        }
        // Only other systems' messages: Hookpost's own routes (hookpostSource) checked the event's size where it came
        // in and may have answered 202 for it. Written again, an event can be larger than it came (1e3 becomes 1E+3),
        // and an inbound email (up to hookpost.inbound.max-body-bytes) is larger than an event may be
        if (source == null && body.length > maxPayloadBytes + QUEUE_OVERHEAD_BYTES) {
            throw new InvalidEventException("message larger than hookpost.events.max-payload-bytes");
        }
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (IOException e) {
            throw new InvalidEventException("not JSON: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw new InvalidEventException("not a JSON object");
        }
        JsonNode account = node.get("account");
        if (account == null || !account.isTextual() || account.asText().isBlank()) {
            throw new InvalidEventException("'account' is required on queued events");
        }
        ObjectNode rest = (ObjectNode) node;
        rest.remove("account");
        // without a message id (an AMQP client that sets no message-id) the bytes stand for it: an exact repeat, or a
        // redelivery, is the same event; two different events are two
        Parsed read = normalise(rest,
                () -> "evt_" + (messageId != null ? sha256Hex(messageId) : Ids.sha256Hex(body)).substring(0, 32),
                InvalidEventException::new);
        ObjectNode envelope = read.envelope();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("account_id", account.asText());
        row.put("id", envelope.get("id").asText());
        row.put("type", envelope.get("type").asText());
        row.put("occurred_at", read.occurredAt().atOffset(ZoneOffset.UTC));
        try {
            row.put("payload", json.writeValueAsString(envelope));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        row.put("source", source != null ? source : "queue");
        row.put("created_at", OffsetDateTime.now(ZoneOffset.UTC));
        row.put("channels", read.channels());
        return row;
    }

    /** Whether {@code name} is an event type (no wildcard: those are for subscriptions). */
    public static boolean isType(String name) {
        return name.length() <= TYPE_MAX && TYPE.matcher(name).matches();
    }

    /**
     * A request body read as the event reader reads events: numbers exact ({@code 1E+400} and
     * {@code 0.10000000000000000001} as written), for data that is kept and sent later (an event type's example).
     */
    public static JsonNode readExact(byte[] body) throws IOException {
        return EXACT_JSON.readTree(body);
    }

    /** An envelope as the event reader writes it: exact numbers, characters outside the BMP as UTF-8. */
    public static String write(JsonNode envelope) throws JsonProcessingException {
        return EXACT_JSON.writeValueAsString(envelope);
    }

    /**
     * Checks {@code data} as a published event's {@code data} (an object, Unicode, within
     * {@code hookpost.events.max-payload-bytes}) and returns the text to keep: an event type's example.
     */
    public String dataText(JsonNode data, String field) throws JsonProcessingException {
        if (!data.isObject()) {
            throw ProblemException.badRequest("'" + field + "' must be a JSON object, as an event's data.");
        }
        if (hasLoneSurrogate(data)) {
            throw ProblemException.badRequest("'" + field + "' holds a lone UTF-16 surrogate (such as \\ud800 without"
                    + " its pair): not Unicode, so no receiver could be sent it as written.");
        }
        byte[] text = json.writeValueAsBytes(data);
        checkSize(text.length, "'" + field + "'");
        return new String(text, StandardCharsets.UTF_8);
    }

    /**
     * The envelope of an event the API makes itself (a test event): {@code type} and {@code data} checked as a
     * published event's, a new id, stamped now.
     */
    public ObjectNode newEnvelope(String type, JsonNode data) throws JsonProcessingException {
        ObjectNode node = json.createObjectNode();
        node.put("type", type);
        node.set("data", data);
        ObjectNode envelope = normalise(node, () -> Ids.next("evt"), ProblemException::badRequest).envelope();
        checkSize(json.writeValueAsBytes(envelope).length, "The event");
        return envelope;
    }

    private void checkSize(int bytes, String what) {
        if (bytes > maxPayloadBytes) {
            throw ProblemException.tooLarge(what + " is " + bytes + " bytes; the limit is " + maxPayloadBytes
                    + " bytes (hookpost.events.max-payload-bytes).");
        }
    }

    private JsonNode parse(byte[] body) throws IOException {
        JsonNode node = REQUEST_JSON.readTree(body);
        if (node == null || !node.isObject()) {
            throw ProblemException.badRequest("The request body must be a JSON object.");
        }
        return node;
    }

    /** Whether a string or field name anywhere in the value holds half a UTF-16 surrogate pair. */
    private static boolean hasLoneSurrogate(JsonNode node) {
        if (node.isTextual()) {
            return hasLoneSurrogate(node.textValue());
        }
        if (node.isObject()) {
            for (var fields = node.fields(); fields.hasNext(); ) {
                var field = fields.next();
                if (hasLoneSurrogate(field.getKey()) || hasLoneSurrogate(field.getValue())) {
                    return true;
                }
            }
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                if (hasLoneSurrogate(element)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether the text holds half of a surrogate pair alone (JSON's "\ud800"): no character, not storable as UTF-8. */
    public static boolean hasLoneSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /**
     * An event's envelope, its timestamp and its channels (a column's text, null for none), parsed once (the fan-out
     * parsed it twice, a CPU cost in its profile).
     */
    private record Parsed(ObjectNode envelope, Instant occurredAt, String channels) {
    }

    /** Validates {type, id?, timestamp?, data, channels?} and returns the envelope in canonical field order. */
    private Parsed normalise(JsonNode node, java.util.function.Supplier<String> newId,
                               java.util.function.Function<String, RuntimeException> invalid) {
        node.fieldNames().forEachRemaining(f -> {
            if (!f.equals("type") && !f.equals("id") && !f.equals("timestamp") && !f.equals("data")
                    && !f.equals("channels")) {
                throw invalid.apply("Unknown field '" + f + "'; an event has type, id, timestamp, data and channels.");
            }
        });
        JsonNode type = node.get("type");
        if (type != null && !type.isNull() && !type.isTextual()) {
            throw invalid.apply("'type' must be a string, e.g. \"host.offline\".");
        }
        if (type == null || type.isNull() || type.asText().isBlank()) {
            throw invalid.apply("'type' is required, e.g. \"host.offline\".");
        }
        if (!isType(type.asText())) {
            throw invalid.apply(TYPE_RULE);
        }
        String id;
        JsonNode givenId = node.get("id");
        if (givenId == null || givenId.isNull()) {
            id = newId.get();
        } else if (!givenId.isTextual() || !ID.matcher(givenId.asText()).matches()) {
            throw invalid.apply("'id' must be a string of letters, digits, '.', '_', ':' and '-' (at most 200).");
        } else {
            id = givenId.asText();
        }
        Instant occurredAt;
        JsonNode givenTimestamp = node.get("timestamp");
        if (givenTimestamp == null || givenTimestamp.isNull()) {
            // to the microsecond the database keeps, so the event shows the same instant wherever it is read
            occurredAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        } else {
            Instant given = givenTimestamp.isTextual() ? IsoTimes.parse(givenTimestamp.asText()) : null;
            if (given == null) {
                throw invalid.apply("'timestamp' must be an ISO-8601 date-time such as 2026-01-31T12:00:00Z (years 1"
                        + " to 9999).");
            }
            // to the microsecond too: the database rounded finer ones, so the event showed another instant (a second
            // later for .9999999) than the one it was sent with
            occurredAt = given.truncatedTo(ChronoUnit.MICROS);
        }
        JsonNode data = node.get("data");
        if (data == null) {
            throw invalid.apply("'data' is required (an object, may be empty).");
        }
        if (!data.isObject()) {
            throw invalid.apply("'data' must be a JSON object.");
        }
        if (hasLoneSurrogate(data)) {
            throw invalid.apply("'data' holds a lone UTF-16 surrogate (such as \\ud800 without its pair): not Unicode,"
                    + " so no receiver could be sent it as written.");
        }
        ObjectNode envelope = json.createObjectNode();
        envelope.put("id", id);
        envelope.put("type", type.asText());
        envelope.put("timestamp", TIMESTAMP.format(occurredAt));
        envelope.set("data", data);
        return new Parsed(envelope, occurredAt, Channels.check(node.get("channels"), invalid));
    }

    static String sha256Hex(String value) {
        return Ids.sha256Hex(value.getBytes(StandardCharsets.UTF_8));
    }

    /** A queued message that can never become an event; the fan-out parks it on the invalid queue. */
    public static class InvalidEventException extends RuntimeException {
        public InvalidEventException(String reason) {
            super(reason);
        }
    }
}
