package io.hookpost.outbound;

/**
 * An attempt that did not end in a 2xx. Thrown by the attempt route after the attempt is recorded, so the
 * deliver route's redelivery policy (or, beyond it, the delivery-failed route) decides what comes next.
 */
public class DeliveryAttemptFailed extends Exception {
    public DeliveryAttemptFailed(String summary) {
        super(summary, null, false, false);
    }
}
