package io.hookpost.api;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jms.JmsException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.stereotype.Component;

/**
 * Turns the exception an API route caught into a problem document. Client mistakes keep their 4xx; a queue or
 * database that cannot be reached is a 503 with {@code Retry-After} (nothing was accepted or changed: the client
 * tries again, and a provider's retry of a callback is one); anything else unexpected is a 500 with a neutral detail
 * (and a log line), never a stack trace to the client.
 */
@Component("problemResponder")
public class ProblemResponder implements Processor {
    /** The WWW-Authenticate challenge a 401 of this exchange names, when not the API's Bearer (an exchange property). */
    public static final String CHALLENGE = "hookpost.challenge";
    /** The methods a 405 of this exchange names in its Allow header (RFC 9110 asks for one), as an exchange property. */
    public static final String ALLOW = "hookpost.allow";
    private static final Logger LOG = LoggerFactory.getLogger(ProblemResponder.class);
    /** Seconds: a broker or database connection is tried again within a few (Spring's listeners every 5 s). */
    static final String RETRY_AFTER = "5";
    private final ObjectMapper json;

    public ProblemResponder(ObjectMapper json) {
        this.json = json;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        ProblemException problem = toProblem(caught, exchange);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("type", "about:blank");
        doc.put("title", problem.title());
        doc.put("status", problem.status());
        doc.put("detail", problem.getMessage());
        String path = exchange.getIn().getHeader(Exchange.HTTP_PATH, String.class);
        if (path != null) {
            doc.put("instance", path);
        }
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, problem.status());
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/problem+json");
        if (problem.status() == 503) {
            exchange.getMessage().setHeader("Retry-After", RETRY_AFTER);
        }
        String allow = exchange.getProperty(ALLOW, String.class);
        if (problem.status() == 405 && allow != null) {
            exchange.getMessage().setHeader("Allow", allow);
        }
        String challenge = exchange.getProperty(CHALLENGE, String.class);
        if (problem.status() == 401 && (challenge != null || path != null && path.startsWith("/api/"))) {
            // RFC 9110: a 401 names the scheme it wants (inbound callbacks answer to their providers' own schemes:
            // basic auth's is named, signatures have none)
            exchange.getMessage().setHeader("WWW-Authenticate", challenge != null ? challenge : "Bearer");
        }
        exchange.getMessage().setBody(json.writeValueAsBytes(doc));
    }

    /** e.g. {@code headers.X-Tenant} or {@code eventTypes[2]}. */
    private static String fieldPath(MismatchedInputException m) {
        StringBuilder path = new StringBuilder();
        for (var reference : m.getPath()) {
            if (reference.getFieldName() != null) {
                path.append(path.length() == 0 ? "" : ".").append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    /** What a field of this Java type takes, in JSON's words (Jackson's own text names Hookpost's classes). */
    private static String expected(Class<?> type) {
        if (type == null) {
            return "of another type";
        }
        if (CharSequence.class.isAssignableFrom(type) || type.isEnum()) {
            return "a string";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class
                || type == Short.class || type == short.class) {
            return "a whole number";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
            return "a number";
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list";
        }
        return "an object";
    }

    private ProblemException toProblem(Throwable caught, Exchange exchange) {
        for (Throwable t = caught; t != null; t = t.getCause()) {
            if (t instanceof ProblemException p) {
                return p;
            }
            if (t instanceof UnrecognizedPropertyException u) {
                return ProblemException.badRequest("Unknown field '" + u.getPropertyName() + "'; known fields: "
                        + u.getKnownPropertyIds() + ".");
            }
            if (t instanceof MismatchedInputException m) {
                // no path: the body as a whole is of the wrong shape (Jackson's text would name Hookpost's classes)
                return m.getPath().isEmpty() ? ProblemException.badRequest("The request body must be a JSON object.")
                        : ProblemException.badRequest("'" + fieldPath(m) + "' must be " + expected(m.getTargetType())
                        + ".");
            }
            if (t instanceof StreamConstraintsException) {
                return ProblemException.badRequest("The request body nests or runs deeper than Hookpost reads: "
                        + ProblemException.plain(((JsonProcessingException) t).getOriginalMessage()) + ".");
            }
            if (t instanceof JsonProcessingException j) {
                return ProblemException.badRequest("The request body is not valid JSON: "
                        + ProblemException.plain(j.getOriginalMessage()));
            }
            if (t instanceof DuplicateKeyException) {
                return ProblemException.conflict("An object with this id already exists.");
            }
            if (t instanceof JmsException || t instanceof jakarta.jms.JMSException) {
                LOG.warn("API route {}: the queue cannot be reached: {}", exchange.getFromRouteId(), caught.toString());
                // not "nothing was accepted": a callback may be stored already, and a send whose connection dropped
                // may have gone through; a resend is recorded once either way
                return unavailable("The queue cannot be reached: send this request again shortly (a resend of the"
                        + " same event or callback is recorded once).");
            }
            if (t instanceof DataAccessResourceFailureException || t instanceof CannotCreateTransactionException) {
                LOG.warn("API route {}: the database cannot be reached: {}", exchange.getFromRouteId(),
                        caught.toString());
                return unavailable("The database cannot be reached: nothing was changed. Try again shortly.");
            }
            if (t instanceof PessimisticLockingFailureException) {
                // run again hookpost.database.lock-retries times already (the api route configuration)
                LOG.warn("API route {}: its transaction kept losing lock conflicts: {}", exchange.getFromRouteId(),
                        caught.toString());
                return unavailable("The change met others on the same rows and was not made. Try again shortly.");
            }
            if (t instanceof TransactionSystemException) {
                // the connection was lost at the commit (or the rollback after a failure): the database may have
                // committed all the same, so not "nothing was changed"
                LOG.warn("API route {}: the database connection was lost as the change was saved: {}",
                        exchange.getFromRouteId(), caught.toString());
                return unavailable("The database connection was lost as the change was saved: it may or may not have"
                        + " been made. Look before you send this request again.");
            }
        }
        LOG.error("Unexpected failure in API route {}", exchange.getFromRouteId(), caught);
        return new ProblemException(500, "Internal Server Error",
                "Hookpost failed to handle this request; the failure has been logged.");
    }

    private static ProblemException unavailable(String detail) {
        return new ProblemException(503, "Service Unavailable", detail);
    }
}
