package io.hookpost.api;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.hookpost.inbound.InboundNormaliser;
import io.hookpost.inbound.Provider;
import org.apache.camel.Header;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * {@code GET …/message-statuses?messageId=}: where a message the product sent through a provider stands now, one row
 * per recipient, as the providers' callbacks left it (statuses only move forward). The same facts the
 * {@code message.*} events carried, for a client that missed them or asks later ("did the reset email to ana bounce?").
 * One message's rows, by provider and recipient, a page at a time: a send to many recipients has one message id.
 */
@Component("messageStatusApi")
public class MessageStatusApi {
    private final JdbcTemplate jdbc;

    public MessageStatusApi(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public Map<String, Object> statuses(@Header("acct") String account, @Header("messageId") String messageId,
                                        @Header("provider") String provider, @Header("recipient") String recipient,
                                        @Header("limit") String limit, @Header("cursor") String cursor) {
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
        int pageSize = Paging.limit(limit);
        String[] after = after(cursor);

        // the index message_statuses_by_message (V27) finds the message's rows in the account
        StringBuilder sql = new StringBuilder("SELECT provider, provider_message_id, recipient_key, recipient, status,"
                + " updated_at FROM message_statuses WHERE account_id = ? AND provider_message_id = ?");
        List<Object> args = new ArrayList<>(List.of(account, messageId));
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
            data.add(view(rows.get(i)));
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

    private static Map<String, Object> view(Map<String, Object> row) {
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
