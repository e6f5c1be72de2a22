package io.hookpost.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hookpost.Utf8;
import io.hookpost.inbound.InboundNormaliser;
import io.hookpost.inbound.Provider;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * What the inbound side recorded, for the account to look at: the callbacks a provider connection received (newest
 * first, each with the headers and raw body it came with, and whether it was normalised), and where one message
 * stands per recipient.
 */
@Component("inboundHistoryApi")
public class InboundHistoryApi {
    private static final Set<String> CALLBACK_STATUSES = Set.of("received", "processed", "ignored", "failed");
    private static final String RECEIVED_AT = "received_at";
    /** What a bulk reprocess takes when it names no status: the callbacks that recorded nothing. */
    private static final List<String> RECORDED_NOTHING = List.of("failed", "ignored");
    /**
     * Callbacks one bulk reprocess marks and queues at most: one transaction and a bounded time (a queued message
     * each); the answer's {@code nextSince} says where to go on.
     */
    static final int MAX_REPROCESS_PER_REQUEST = 1_000;
    /** Set by {@link #reprocessAll}: the ids of the callbacks it marked received, for its route to queue. */
    public static final String TO_QUEUE = "hookpost.callbacksToQueue";

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final RequestBodies bodies;

    public InboundHistoryApi(JdbcTemplate jdbc, ObjectMapper json, RequestBodies bodies) {
        this.jdbc = jdbc;
        this.json = json;
        this.bodies = bodies;
    }

    /**
     * {@code GET …/providers/{connectionId}/callbacks?status=&limit=&cursor=}: the connection's verified callbacks,
     * newest first ({@code status}: received, processed, ignored (nothing in it Hookpost records) or failed (its body
     * could not be read)). Forged ones are not stored: they are answered 401 and counted in
     * {@code hookpost_inbound_callbacks_total}.
     */
    public Map<String, Object> callbacks(@Header("acct") String account, @Header("connectionId") String connectionId,
                                         @Header("status") String status, @Header("limit") String limit,
                                         @Header("cursor") String cursor) {
        if (status != null && !CALLBACK_STATUSES.contains(status)) {
            throw ProblemException.badRequest("'status' must be one of received, processed, ignored, failed.");
        }
        int pageSize = Paging.limit(limit);
        Paging.Cursor from = Paging.cursor(cursor);
        String provider = connection(account, connectionId);
        // by the index inbound_callbacks_by_connection (V28)
        StringBuilder sql = new StringBuilder("SELECT id, connection_id, status, received_at, processed_at"
                + " FROM inbound_callbacks WHERE connection_id = ?");
        List<Object> args = new ArrayList<>(List.of(connectionId));
        if (status != null) {
            sql.append(" AND status = ?");
            args.add(status);
        }
        Paging.seek(sql, args, "", RECEIVED_AT, from, pageSize + 1);
        return Paging.page(jdbc.queryForList(sql.toString(), args.toArray()), pageSize, RECEIVED_AT,
                row -> callback(row, provider));
    }

    /**
     * {@code GET …/providers/{connectionId}/callbacks/{callbackId}}: one callback with the headers it came with (not
     * Authorization nor cookies, which are never stored) and its body as received: {@code body} when it is UTF-8 text,
     * {@code bodyBase64} when it is not.
     */
    public Map<String, Object> callback(@Header("acct") String account, @Header("connectionId") String connectionId,
                                        @Header("callbackId") String callbackId) {
        String provider = connection(account, connectionId);
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT * FROM inbound_callbacks WHERE id = ?"
                + " AND connection_id = ?", callbackId, connectionId);
        if (rows.isEmpty()) {
            throw noCallback(connectionId, callbackId);
        }
        Map<String, Object> row = rows.get(0);
        Map<String, Object> view = callback(row, provider);
        view.put("headers", withCredentialsHidden(Views.json(json, row.get("headers"))));
        byte[] body = (byte[]) row.get("body");
        String text = Utf8.textOrNull(body);
        view.put("body", text);
        view.put("bodyBase64", text == null ? Base64.getEncoder().encodeToString(body) : null);
        return view;
    }

    /**
     * {@code POST …/providers/{connectionId}/callbacks/{callbackId}/reprocess}: the callback is normalised again from
     * its stored bytes, whatever came of it before: after an upgrade that reads what an older build ignored or could
     * not read, or for one whose normalisation never ended. Marked received here, committed before the route queues
     * it (a consumer that found it still processed would skip it). Redoing one is safe: statuses only move forward and
     * the events it republishes keep their ids, so receivers get nothing twice. The answer: the callback, received.
     */
    public Map<String, Object> reprocess(@Header("acct") String account, @Header("connectionId") String connectionId,
                                         @Header("callbackId") String callbackId) {
        String provider = connection(account, connectionId);
        jdbc.update("UPDATE inbound_callbacks SET status = 'received', processed_at = NULL WHERE id = ?"
                + " AND connection_id = ?", callbackId, connectionId);
        // read back: none if there is no such callback, or the account's erasure took it meanwhile
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT id, connection_id, status, received_at,"
                + " processed_at FROM inbound_callbacks WHERE id = ? AND connection_id = ?", callbackId, connectionId);
        if (rows.isEmpty()) {
            throw noCallback(connectionId, callbackId);
        }
        return callback(rows.get(0), provider);
    }

    /** The body of a bulk reprocess: a window of [since, until) by reception, and which callbacks of it. */
    public record Reprocess(String since, String until, String status) {
    }

    /**
     * {@code POST …/providers/{connectionId}/callbacks/reprocess {since, until?, status?}}: as {@link #reprocess}, for
     * every callback of the connection received in [since, until) with that status (by default failed and ignored:
     * those that recorded nothing, what an upgrade or a fixed mapping may read now). Oldest first, at most
     * {@link #MAX_REPROCESS_PER_REQUEST} a request: {@code nextSince} goes on. Marked received and committed before the
     * route queues them; one whose status changed meanwhile (a reprocess of it ended) is left as it is, not queued.
     */
    @Transactional
    public Map<String, Object> reprocessAll(@Header("acct") String account, @Header("connectionId") String connectionId,
                                            @Body byte[] body, Exchange exchange) throws IOException {
        Reprocess request = bodies.read(body, Reprocess.class);
        EndpointApi.Recover window = new EndpointApi.Recover(request.since(), request.until());
        OffsetDateTime until = window.end();
        OffsetDateTime since = window.start(until);
        if (request.status() != null && !CALLBACK_STATUSES.contains(request.status())) {
            throw ProblemException.badRequest("'status' must be one of received, processed, ignored, failed (by default"
                    + " failed and ignored).");
        }
        connection(account, connectionId);
        List<String> statuses = request.status() == null ? RECORDED_NOTHING : List.of(request.status());
        String in = String.join(", ", java.util.Collections.nCopies(statuses.size(), "?"));
        List<Object> args = new ArrayList<>(List.of(connectionId));
        args.addAll(statuses);
        args.addAll(List.of(since, until, MAX_REPROCESS_PER_REQUEST + 1));
        // by the index inbound_callbacks_by_connection (V28)
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT id, received_at FROM inbound_callbacks"
                + " WHERE connection_id = ? AND status IN (" + in + ") AND received_at >= ? AND received_at < ?"
                + " ORDER BY received_at, id LIMIT ?", args.toArray());
        OffsetDateTime nextSince = null;
        if (rows.size() > MAX_REPROCESS_PER_REQUEST) {
            // the first left out and what follows: the next request's (one of the same instant redone is harmless)
            nextSince = Views.time(rows.get(MAX_REPROCESS_PER_REQUEST).get(RECEIVED_AT));
            rows = rows.subList(0, MAX_REPROCESS_PER_REQUEST);
        }
        List<Object[]> marks = new ArrayList<>(rows.size());
        for (Map<String, Object> row : rows) {
            List<Object> mark = new ArrayList<>(List.of(row.get("id")));
            mark.addAll(statuses);
            marks.add(mark.toArray());
        }
        int[] marked = jdbc.batchUpdate("UPDATE inbound_callbacks SET status = 'received', processed_at = NULL"
                + " WHERE id = ? AND status IN (" + in + ")", marks);
        List<Object> toQueue = new ArrayList<>(rows.size());
        for (int i = 0; i < marked.length; i++) {
            if (marked[i] != 0) {
                toQueue.add(rows.get(i).get("id"));
            }
        }
        exchange.setProperty(TO_QUEUE, toQueue);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("reprocessed", toQueue.size());
        answer.put("nextSince", Views.instant(nextSince));
        return answer;
    }

    private static ProblemException noCallback(String connectionId, String callbackId) {
        return ProblemException.notFound("No callback '" + callbackId + "' of provider connection '" + connectionId
                + "'.");
    }

    private static Map<String, Object> callback(Map<String, Object> row, String provider) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", row.get("id"));
        view.put("connectionId", row.get("connection_id"));
        view.put("provider", provider);
        view.put("status", row.get("status"));
        view.put("receivedAt", Views.instant(row.get("received_at")));
        view.put("processedAt", Views.instant(row.get("processed_at")));
        return view;
    }

    /** The connection's provider; 404 for a connection of another account, or one deleted. */
    private String connection(String account, String connectionId) {
        List<String> providers = jdbc.queryForList("SELECT provider FROM provider_connections WHERE id = ?"
                + " AND account_id = ? AND deleted_at IS NULL", String.class, connectionId, account);
        if (providers.isEmpty()) {
            throw ProblemException.notFound("No provider connection '" + connectionId + "' in account '" + account
                    + "'.");
        }
        return providers.get(0);
    }

    /**
     * The stored headers with the values of those whose names carry credentials ({@code x-api-key} …) shown as
     * {@code [hidden]}, as the portal shows an endpoint's: a provider may send a key of its own in one, and finding
     * out what came needs the names alone. Signatures stay: they are no credentials.
     */
    private static JsonNode withCredentialsHidden(JsonNode headers) {
        if (headers instanceof ObjectNode object) {
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            names.stream().filter(CredentialHeaders::carriesCredentials)
                    .forEach(name -> object.put(name, CredentialHeaders.HIDDEN));
        }
        return headers;
    }

    /**
     * {@code GET …/message-statuses?messageId=}: where a message the product sent through a provider stands now, one
     * row per recipient, as the providers' callbacks left it (statuses only move forward). The same facts the
     * {@code message.*} events carried, for a client that missed them or asks later ("did the reset email to ana
     * bounce?"). One message's rows, by provider and recipient, a page at a time: a send to many recipients has one
     * message id.
     */
    public Map<String, Object> statuses(@Header("acct") String account, @Header("messageId") String messageId,
                                        @Header("provider") String provider, @Header("recipient") String recipient,
                                        @Header("limit") String limit, @Header("cursor") String cursor) {
        int pageSize = Paging.limit(limit);
        String[] after = after(cursor);
        if (messageId == null || messageId.isEmpty() || messageId.length() > InboundNormaliser.MAX_MESSAGE_ID) {
            throw ProblemException.badRequest("'messageId' is required: the provider's id of the message (1 to "
                    + InboundNormaliser.MAX_MESSAGE_ID + " characters), as the message.* events carry it in data.messageId.");
        }
        if (provider != null && Provider.fromApiName(provider).isEmpty()) {
            throw ProblemException.badRequest("'provider' must be one of " + Provider.names() + ".");
        }
        if (recipient != null && (recipient.isEmpty() || recipient.length() > InboundNormaliser.MAX_RECIPIENT)) {
            throw ProblemException.badRequest("'recipient' must be 1 to " + InboundNormaliser.MAX_RECIPIENT + " characters, as the"
                    + " message.* events carry it in data.recipient.");
        }
        // the index message_statuses_by_message (V27) finds the message's rows in the account
        StringBuilder sql = new StringBuilder("SELECT provider, provider_message_id, recipient_key, recipient, status,"
                + " updated_at FROM message_statuses WHERE account_id = ? AND provider_message_id IN (?, ?)");
        // Mailgun's send API answers <id>, its statuses are kept as id: asked either way, both are looked for
        List<Object> args = new ArrayList<>(List.of(account, messageId, InboundNormaliser.unbracketed(messageId)));
        if (provider != null) {
            sql.append(" AND provider = ?");
            args.add(provider);
        }
        if (recipient != null) {
            sql.append(" AND recipient_key = ?");
            args.add(recipient);
        }
        if (after != null) {
            sql.append(" AND (provider > ? OR (provider = ? AND recipient_key > ?))");
            args.add(after[0]);
            args.add(after[0]);
            args.add(after[1]);
        }
        sql.append(" ORDER BY provider, recipient_key LIMIT ?");
        args.add(pageSize + 1);
        List<Map<String, Object>> rows = jdbc.queryForList(sql.toString(), args.toArray());

        List<Map<String, Object>> data = new ArrayList<>();
        for (int i = 0; i < rows.size() && i < pageSize; i++) {
            data.add(status(rows.get(i)));
        }
        String next = null;
        if (rows.size() > pageSize) {
            Map<String, Object> last = rows.get(pageSize - 1);
            next = Base64.getUrlEncoder().withoutPadding().encodeToString(
                    (last.get("provider") + ":" + last.get("recipient_key")).getBytes(StandardCharsets.UTF_8));
        }
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("data", data);
        page.put("nextCursor", next);
        return page;
    }

    private static Map<String, Object> status(Map<String, Object> row) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("provider", row.get("provider"));
        view.put("messageId", row.get("provider_message_id"));
        view.put("recipient", row.get("recipient"));
        view.put("status", row.get("status"));
        view.put("updatedAt", Views.instant(row.get("updated_at")));
        return view;
    }

    /**
     * The page's start, after (provider, recipient key): base64url of {@code <provider>:<recipient key>} (provider
     * names have no colon; a recipient key may be empty, for a provider that names no recipient).
     */
    private static String[] after(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return null;
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            int colon = text.indexOf(':');
            String provider = text.substring(0, colon);
            String recipientKey = text.substring(colon + 1);
            if (Provider.fromApiName(provider).isEmpty() || recipientKey.length() > InboundNormaliser.MAX_RECIPIENT) {
                throw new IllegalArgumentException();
            }
            return new String[] {provider, recipientKey};
        } catch (RuntimeException e) {
            throw Paging.badCursor();
        }
    }
}
