package io.hookpost.inbound;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.ContentDisposition;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import io.hookpost.Ids;
import io.hookpost.IsoTimes;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Step {@code normalise-callback}: turns one verified callback (raw bytes, any provider) into changes in the
 * common vocabulary: a {@link MessageStatus} of a provider message id, or an inbound message. Each change
 * carries the outbound event that republishes it, with an id derived from what happened, so a callback
 * processed twice (a crash, a redelivery) publishes nothing new.
 */
@Component("inboundNormaliser")
public class InboundNormaliser {
    public static final String CALLBACK = "hookpost.callback";
    /** The lengths of message_statuses' provider_message_id and recipient columns. */
    public static final int MAX_MESSAGE_ID = 300;
    public static final int MAX_RECIPIENT = 500;
    private static final Logger LOG = LoggerFactory.getLogger(InboundNormaliser.class);
    private final ObjectMapper json;
    /**
     * A callback's JSON body, read strictly: a body with something after its JSON, or a name given twice, is not
     * read in part (the first object of two recorded, the second dropped, and the callback marked processed) but
     * marked failed, its bytes kept; the management API refuses both too.
     */
    private final ObjectReader strictBody;

    public InboundNormaliser(ObjectMapper json) {
        this.json = json;
        this.strictBody = json.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }

    /** The body's JSON, strictly read; an empty body is none (failed, not ignored). */
    private JsonNode read(byte[] body) throws IOException {
        JsonNode node = strictBody.readTree(body);
        if (node == null || node.isMissingNode()) {
            throw new IOException("the body is empty");
        }
        return node;
    }

    /** The changes one callback reports; body: the loaded callback row. */
    public List<Map<String, Object>> normalise(@Body Map<String, Object> callback) throws IOException {
        Provider provider = Provider.fromApiName((String) callback.get("provider")).orElseThrow();
        byte[] body = (byte[]) callback.get("body");
        JsonNode headers = json.readTree((String) callback.get("headers"));
        String contentType = headers.path("content-type").asText("");
        Changes changes = new Changes(callback, provider);
        switch (provider) {
            case SENDGRID -> sendgrid(read(body), changes);
            case SENDGRID_INBOUND_PARSE -> sendgridParse(body, contentType, changes);
            case TWILIO -> twilio(body, contentType, changes);
            case META -> meta(read(body), changes);
            case MAILGUN -> mailgun(body, contentType, changes);
            case POSTMARK -> postmark(read(body), changes);
            case EMAIL_STATUS -> emailStatus(read(body), changes);
            case INBOUND_EMAIL -> inboundEmail(read(body), changes);
        }
        return changes.list;
    }

    /** The queue message of a change's outbound event (the same JSON the events API takes, plus the account). */
    public byte[] event(@Body Map<String, Object> change) throws JsonProcessingException {
        return json.writeValueAsBytes(change.get("event"));
    }

    /** Parameters of mark-callback-processed. */
    public Map<String, Object> processed(@ExchangeProperty(CALLBACK) Map<String, Object> callback) {
        return Map.of("id", callback.get("id"), "now", OffsetDateTime.now(ZoneOffset.UTC));
    }

    // SendGrid Event Webhook: a JSON array of events; sg_message_id starts with the X-Message-Id of the send.
    private static void sendgrid(JsonNode events, Changes changes) {
        for (JsonNode event : events) {
            MessageStatus status = switch (event.path("event").asText()) {
                case "processed" -> MessageStatus.QUEUED;
                case "deferred" -> MessageStatus.DEFERRED;
                case "delivered" -> MessageStatus.DELIVERED;
                case "bounce" -> MessageStatus.BOUNCED;
                case "dropped" -> MessageStatus.DROPPED;
                case "open" -> MessageStatus.OPENED;
                case "click" -> MessageStatus.CLICKED;
                case "spamreport" -> MessageStatus.SPAM_REPORT;
                case "unsubscribe", "group_unsubscribe" -> MessageStatus.UNSUBSCRIBED;
                default -> null;
            };
            String messageId = event.path("sg_message_id").asText("");
            int dot = messageId.indexOf('.');
            changes.status(dot > 0 ? messageId.substring(0, dot) : messageId, status, text(event, "email"),
                    epochSeconds(event.path("timestamp")), event.path("event").asText(), text(event, "reason"));
        }
    }

    // SendGrid Inbound Parse: multipart/form-data with from, to, subject, text, html (attachments not republished).
    private void sendgridParse(byte[] body, String contentType, Changes changes) throws IOException {
        Map<String, byte[]> parts = new LinkedHashMap<>();
        try {
            MimeMultipart multipart = new MimeMultipart(new ByteArrayDataSource(body, contentType));
            for (int i = 0; i < multipart.getCount(); i++) {
                BodyPart part = multipart.getBodyPart(i);
                String disposition = part.getHeader("Content-Disposition") == null ? null
                        : part.getHeader("Content-Disposition")[0];
                String name = disposition == null ? null : new ContentDisposition(disposition).getParameter("name");
                if (name != null && part.getFileName() == null) {
                    parts.put(name, part.getInputStream().readAllBytes());
                }
            }
        } catch (MessagingException e) {
            throw new IOException("not a multipart body", e);
        }
        // decoded once all are read: SendGrid posts 'charsets' (field name → charset) after the fields it describes
        JsonNode charsets = charsets(parts.get("charsets"));
        Map<String, String> fields = new LinkedHashMap<>();
        parts.forEach((name, bytes) -> fields.put(name, new String(bytes, charset(charsets, name))));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("from", fields.get("from"));
        data.put("to", fields.get("to"));
        data.put("subject", fields.get("subject"));
        data.put("text", fields.get("text"));
        data.put("html", fields.get("html"));
        String id = messageId(parts.get("headers"));
        changes.received("email.received", id != null ? id : sha256(body), data);
    }

    /** The Message-ID of the email, from Inbound Parse's 'headers' field (the email's raw header block). */
    private static String messageId(byte[] headers) {
        if (headers == null) {
            return null;
        }
        try {
            String id = new InternetHeaders(new java.io.ByteArrayInputStream(headers)).getHeader("Message-ID", null);
            return id == null || id.isBlank() ? null : id.trim();
        } catch (MessagingException e) {
            return null;
        }
    }

    /** SendGrid's 'charsets' field: JSON of field name → charset (none, or not JSON: every field UTF-8). */
    private JsonNode charsets(byte[] field) {
        try {
            return field == null ? null : json.readTree(field);
        } catch (IOException e) {
            return null;
        }
    }

    private static java.nio.charset.Charset charset(JsonNode charsets, String name) {
        try {
            if (charsets != null && charsets.hasNonNull(name)) {
                return java.nio.charset.Charset.forName(charsets.get(name).asText());
            }
        } catch (IllegalArgumentException ignored) {
            // unknown charset: UTF-8
        }
        return StandardCharsets.UTF_8;
    }

    // Twilio: form fields (MessageSid, MessageStatus or SmsStatus, To, From, Body, ErrorCode); JSON bodies too.
    private void twilio(byte[] body, String contentType, Changes changes) throws IOException {
        Map<String, String> form = contentType.toLowerCase(Locale.ROOT).contains("json") ? jsonFields(body) : form(body);
        String sid = form.getOrDefault("MessageSid", form.get("SmsSid"));
        String twilioStatus = form.getOrDefault("MessageStatus", form.getOrDefault("SmsStatus", ""));
        if ("received".equals(twilioStatus)) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("from", form.get("From"));
            data.put("to", form.get("To"));
            data.put("text", form.get("Body"));
            data.put("media", form.get("NumMedia"));
            changes.received("message.received", sid, data);
            return;
        }
        MessageStatus status = switch (twilioStatus) {
            case "accepted", "scheduled", "queued", "sending" -> MessageStatus.QUEUED;
            case "sent" -> MessageStatus.SENT;
            case "delivered" -> MessageStatus.DELIVERED;
            case "undelivered", "failed", "canceled" -> MessageStatus.FAILED;
            case "read" -> MessageStatus.READ;
            default -> null;
        };
        changes.status(sid, status, form.get("To"), null, twilioStatus, form.get("ErrorCode"));
    }

    /** A JSON object's fields as texts, as the form's would be: a nested value is kept as its JSON. */
    private Map<String, String> jsonFields(byte[] body) throws IOException {
        JsonNode root = read(body);
        if (!root.isObject()) {
            throw new IOException("the JSON body is not an object");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        root.fields().forEachRemaining(f -> fields.put(f.getKey(),
                f.getValue().isNull() ? null : f.getValue().isValueNode() ? f.getValue().asText() : f.getValue().toString()));
        return fields;
    }

    // Meta / WhatsApp Cloud API: entry[].changes[].value.statuses[] and .messages[].
    private static void meta(JsonNode root, Changes changes) {
        for (JsonNode entry : root.path("entry")) {
            for (JsonNode change : entry.path("changes")) {
                JsonNode value = change.path("value");
                for (JsonNode s : value.path("statuses")) {
                    MessageStatus status = switch (s.path("status").asText()) {
                        case "sent" -> MessageStatus.SENT;
                        case "delivered" -> MessageStatus.DELIVERED;
                        case "read" -> MessageStatus.READ;
                        case "failed" -> MessageStatus.FAILED;
                        default -> null;
                    };
                    String reason = s.path("errors").path(0).path("title").asText(null);
                    changes.status(s.path("id").asText(), status, text(s, "recipient_id"),
                            epochSeconds(s.path("timestamp")), s.path("status").asText(), reason);
                }
                for (JsonNode m : value.path("messages")) {
                    Map<String, Object> data = new LinkedHashMap<>();
                    data.put("from", text(m, "from"));
                    data.put("to", text(value.path("metadata"), "display_phone_number"));
                    data.put("type", text(m, "type"));
                    data.put("text", m.path("text").path("body").asText(null));
                    data.put("timestamp", isoOrNull(epochSeconds(m.path("timestamp"))));
                    changes.received("message.received", m.path("id").asText(), data);
                }
            }
        }
    }

    // Mailgun: {"signature": …, "event-data": {event, severity, recipient, timestamp, message.headers.message-id}}.
    private void mailgun(byte[] body, String contentType, Changes changes) throws IOException {
        if (!contentType.toLowerCase(Locale.ROOT).contains("json")) {
            // legacy form-encoded webhooks: event, recipient, Message-Id
            Map<String, String> form = form(body);
            changes.status(unbracketed(form.get("Message-Id")), mailgunStatus(form.get("event"), form.get("severity")),
                    form.get("recipient"), null, form.get("event"), form.get("reason"));
            return;
        }
        JsonNode event = read(body).path("event-data");
        changes.status(unbracketed(event.path("message").path("headers").path("message-id").asText(null)),
                mailgunStatus(event.path("event").asText(), event.path("severity").asText(null)),
                text(event, "recipient"), epochSeconds(event.path("timestamp")), event.path("event").asText(),
                event.path("delivery-status").path("description").asText(text(event, "reason")));
    }

    /**
     * A Message-Id as Mailgun's JSON webhooks write it, without the angle brackets its legacy ones (and its send API's
     * answer) put round it: one message tracked through both kinds had two statuses.
     */
    public static String unbracketed(String messageId) {
        return messageId != null && messageId.length() > 2 && messageId.startsWith("<") && messageId.endsWith(">")
                ? messageId.substring(1, messageId.length() - 1) : messageId;
    }

    private static MessageStatus mailgunStatus(String event, String severity) {
        if (event == null) {
            return null;
        }
        return switch (event) {
            case "accepted" -> MessageStatus.QUEUED;
            case "delivered" -> MessageStatus.DELIVERED;
            case "failed" -> "temporary".equals(severity) ? MessageStatus.DEFERRED : MessageStatus.BOUNCED;
            case "rejected" -> MessageStatus.DROPPED;
            case "opened" -> MessageStatus.OPENED;
            case "clicked" -> MessageStatus.CLICKED;
            case "complained" -> MessageStatus.SPAM_REPORT;
            case "unsubscribed" -> MessageStatus.UNSUBSCRIBED;
            default -> null;
        };
    }

    // Postmark: RecordType Delivery | Bounce | SpamComplaint | Open | Click | SubscriptionChange; inbound has none.
    private static void postmark(JsonNode event, Changes changes) {
        String type = event.path("RecordType").asText("");
        if (type.isEmpty() && event.has("FromFull")) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("from", text(event, "From"));
            data.put("to", text(event, "To"));
            data.put("subject", text(event, "Subject"));
            data.put("text", text(event, "TextBody"));
            data.put("html", text(event, "HtmlBody"));
            changes.received("email.received", event.path("MessageID").asText(), data);
            return;
        }
        MessageStatus status = switch (type) {
            case "Delivery" -> MessageStatus.DELIVERED;
            case "Bounce" -> "Transient".equals(event.path("Type").asText()) ? MessageStatus.DEFERRED : MessageStatus.BOUNCED;
            case "SpamComplaint" -> MessageStatus.SPAM_REPORT;
            case "Open" -> MessageStatus.OPENED;
            case "Click" -> MessageStatus.CLICKED;
            case "SubscriptionChange" -> event.path("SuppressSending").asBoolean() ? MessageStatus.UNSUBSCRIBED : null;
            default -> null;
        };
        String recipient = event.hasNonNull("Recipient") ? event.get("Recipient").asText() : text(event, "Email");
        changes.status(event.path("MessageID").asText(null), status, recipient, null, type, text(event, "Description"));
    }

    // Hookpost's own email-delivery-status: {messageId, event: delivery | bounce | open | failure, recipient, timestamp}.
    private static void emailStatus(JsonNode event, Changes changes) {
        MessageStatus status = switch (event.path("event").asText()) {
            case "delivery" -> MessageStatus.DELIVERED;
            case "bounce" -> MessageStatus.BOUNCED;
            case "open" -> MessageStatus.OPENED;
            case "failure" -> MessageStatus.FAILED;
            default -> null;
        };
        changes.status(text(event, "messageId"), status, text(event, "recipient"),
                isoInstant(text(event, "timestamp")), event.path("event").asText(), text(event, "reason"));
    }

    // Hookpost's own inbound email: {messageId?, from, to, subject, text, html}.
    private void inboundEmail(JsonNode email, Changes changes) throws JsonProcessingException {
        Map<String, Object> data = new LinkedHashMap<>();
        for (String field : List.of("from", "to", "subject", "text", "html")) {
            data.put(field, text(email, field));
        }
        String id = text(email, "messageId");
        changes.received("email.received", id != null ? id : sha256(json.writeValueAsBytes(email)), data);
    }

    /** The changes of one callback, each with its outbound event. */
    private static final class Changes {
        private final List<Map<String, Object>> list = new ArrayList<>();
        private final Map<String, Object> callback;
        private final Provider provider;
        private final OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);

        Changes(Map<String, Object> callback, Provider provider) {
            this.callback = callback;
            this.provider = provider;
        }

        /**
         * A status of a provider message; unknown statuses and events without a message id are not changes. Nor is one
         * whose message id or recipient is longer than message_statuses keeps, or holds a NUL character (PostgreSQL's
         * text refuses it): no provider sends such, and storing it would fail on every redelivery of the callback, so
         * it is left out (logged) and the rest of the callback goes on.
         */
        void status(String messageId, MessageStatus status, String recipient, Instant at, String providerEvent,
                    String reason) {
            if (status == null || messageId == null || messageId.isBlank()) {
                return;
            }
            if (recipient != null && recipient.isBlank()) {
                // an empty recipient (or one that was no text: asText of an object) names none, as a missing one
                recipient = null;
            }
            if (messageId.length() > MAX_MESSAGE_ID || (recipient != null && recipient.length() > MAX_RECIPIENT)) {
                LOG.warn("Callback {}: a {} status of a message whose id ({} characters) or recipient ({} characters) is"
                        + " longer than Hookpost keeps ({} and {}) is left out", callback.get("id"), provider.apiName(),
                        messageId.length(), recipient == null ? 0 : recipient.length(), MAX_MESSAGE_ID, MAX_RECIPIENT);
                return;
            }
            if (messageId.indexOf('\0') >= 0 || (recipient != null && recipient.indexOf('\0') >= 0)) {
                LOG.warn("Callback {}: a {} status of a message whose id or recipient holds a NUL character is left out",
                        callback.get("id"), provider.apiName());
                return;
            }
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("provider", provider.apiName());
            data.put("connectionId", callback.get("connection_id"));
            data.put("messageId", messageId);
            data.put("status", status.apiName());
            data.put("recipient", recipient);
            data.put("occurredAt", isoOrNull(at));
            data.put("providerEvent", providerEvent);
            data.put("reason", reason);
            Map<String, Object> change = new LinkedHashMap<>();
            change.put("kind", "status");
            change.put("account_id", callback.get("account_id"));
            change.put("provider", provider.apiName());
            change.put("provider_message_id", messageId);
            change.put("status", status.apiName());
            change.put("status_rank", status.rank());
            change.put("recipient", recipient);
            // a status per recipient: one send to several (SendGrid, Mailgun, Postmark) has one message id for all
            change.put("recipient_key", recipient == null ? "" : recipient);
            change.put("now", now);
            String what = recipient == null ? messageId : messageId + ":" + recipient;
            change.put("event", event(status.eventType(), what + ":" + status.apiName(), at, data));
            list.add(change);
        }

        /** An inbound message (email or chat/SMS), republished as it is. */
        void received(String type, String messageId, Map<String, Object> data) {
            Map<String, Object> full = new LinkedHashMap<>();
            full.put("provider", provider.apiName());
            full.put("connectionId", callback.get("connection_id"));
            full.put("messageId", messageId);
            full.putAll(data);
            Map<String, Object> change = new LinkedHashMap<>();
            change.put("kind", "message");
            change.put("event", event(type, messageId + ":" + type, null, full));
            list.add(change);
        }

        private Map<String, Object> event(String type, String what, Instant at, Map<String, Object> data) {
            Map<String, Object> event = new LinkedHashMap<>();
            event.put("account", callback.get("account_id"));
            event.put("id", "inb_" + sha256((callback.get("connection_id") + ":" + what).getBytes(StandardCharsets.UTF_8))
                    .substring(0, 40));
            event.put("type", type);
            if (at != null) {
                event.put("timestamp", DateTimeFormatter.ISO_INSTANT.format(at));
            }
            event.put("data", data);
            return event;
        }
    }

    /** A form body's first value of each field, parsed as strictly as the verifiers parse it. */
    private static Map<String, String> form(byte[] body) throws IOException {
        try {
            Map<String, String> form = new LinkedHashMap<>();
            FormUrlEncoded.parse(body).forEach((name, values) -> form.put(name, values.get(0)));
            return form;
        } catch (IllegalArgumentException e) {
            throw new IOException("not a form body: " + e.getMessage(), e);
        }
    }

    /**
     * The latest time a provider's timestamp is taken for, in epoch seconds ({@link IsoTimes#LATEST}, year 9999); one
     * later, or before 1970, is no time a callback reports: left out, as one missing is (no occurredAt, and the
     * republished event is timed when it is published).
     */
    private static final BigDecimal LATEST_SECONDS = BigDecimal.valueOf(IsoTimes.LATEST.getEpochSecond());

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    /** Epoch seconds, as a number (SendGrid, Mailgun with fractions) or a string (Meta); null past year 9999. */
    private static Instant epochSeconds(JsonNode value) {
        if (value == null || value.isMissingNode() || value.isNull()) {
            return null;
        }
        try {
            BigDecimal seconds = new BigDecimal(value.asText());
            // compared before it is scaled: 1e999999999 would not fit a long (an ArithmeticException, redelivered for
            // ever) and 1e300 would wrap round to 1970
            if (seconds.signum() < 0 || seconds.compareTo(LATEST_SECONDS) > 0) {
                return null;
            }
            return Instant.ofEpochMilli(seconds.movePointRight(3).longValue());
        } catch (NumberFormatException | ArithmeticException e) {
            return null;
        }
    }

    private static Instant isoInstant(String value) {
        if (value == null) {
            return null;
        }
        Instant at = IsoTimes.parse(value);
        return at == null || at.isBefore(Instant.EPOCH) ? null : at;
    }

    private static String isoOrNull(Instant at) {
        return at == null ? null : DateTimeFormatter.ISO_INSTANT.format(at);
    }

    static String sha256(byte[] bytes) {
        return Ids.sha256Hex(bytes);
    }
}
