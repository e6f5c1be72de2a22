package io.hookpost.inbound;

import java.util.Arrays;
import java.util.Optional;

/**
 * The common vocabulary every provider's events are normalised to. The rank orders a message's life: a status
 * is only ever replaced by one of higher rank, so callbacks arriving out of order never move it backwards.
 * A bounce or failure outranks a delivery: a receiving server may accept a message and bounce it later (an
 * asynchronous bounce, which SendGrid, Mailgun and Postmark report after their delivered event), and the later news
 * is the one the sender acts on; a delivered that arrives after the bounce does not undo it. Dropped (never sent)
 * and delivered share a rank: the first one reported stands.
 */
public enum MessageStatus {
    QUEUED("queued", 10),
    DEFERRED("deferred", 20),
    SENT("sent", 30),
    DELIVERED("delivered", 40),
    BOUNCED("bounced", 45),
    DROPPED("dropped", 40),
    FAILED("failed", 45),
    OPENED("opened", 50),
    CLICKED("clicked", 60),
    READ("read", 60),
    SPAM_REPORT("spam-report", 70),
    UNSUBSCRIBED("unsubscribed", 70);

    private final String apiName;
    private final int rank;

    MessageStatus(String apiName, int rank) {
        this.apiName = apiName;
        this.rank = rank;
    }

    public String apiName() {
        return apiName;
    }

    public int rank() {
        return rank;
    }

    /** The outbound event type that republishes this status: {@code message.delivered} … */
    public String eventType() {
        return "message." + apiName;
    }

    public static Optional<MessageStatus> fromApiName(String name) {
        return Arrays.stream(values()).filter(s -> s.apiName.equals(name)).findFirst();
    }
}
