package io.hookpost.api;

import java.io.IOException;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.springframework.stereotype.Component;

/**
 * Strict JSON request binding: unknown fields, wrong types and trailing garbage are 400s with Jackson's
 * own explanation (see {@link ProblemResponder}), never silently ignored.
 */
@Component
public class RequestBodies {
    private final ObjectMapper strict = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // {"name": "a", "name": 1}: which one the client meant is a guess (RFC 8259: names should be unique)
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // 1.5 where a whole number belongs is a mistake too, not 1
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(com.fasterxml.jackson.databind.MapperFeature.ALLOW_COERCION_OF_SCALARS)
            // a number or boolean where text belongs is a client mistake, not "12345"
            .withCoercionConfig(LogicalType.Textual, text -> text
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();

    /** A JSON {@code \\u0000} escape (JSON text cannot hold a raw NUL: that is a parse error already). */
    private static boolean hasEscapedNul(byte[] body) {
        for (int i = 0; i + 5 < body.length; i++) {
            if (body[i] == '\\' && body[i + 1] == 'u' && body[i + 2] == '0' && body[i + 3] == '0'
                    && body[i + 4] == '0' && body[i + 5] == '0') {
                // an escaped backslash before it ("\\\\u0000") is the text \u0000, not a NUL: count the run
                int backslashes = 0;
                for (int j = i; j >= 0 && body[j] == '\\'; j--) {
                    backslashes++;
                }
                if (backslashes % 2 == 1) {
                    return true;
                }
            }
        }
        return false;
    }

    public <T> T read(byte[] body, Class<T> type) throws IOException {
        if (body == null || body.length == 0) {
            throw ProblemException.badRequest("The request body must be a JSON object.");
        }
        if (hasEscapedNul(body)) {
            // PostgreSQL's text columns cannot hold it (a 500 there); no name, URL or description needs it
            throw ProblemException.badRequest("The request body may not contain the NUL character (\\u0000).");
        }
        T value = strict.readValue(body, type);
        if (value == null) {
            throw ProblemException.badRequest("The request body must be a JSON object.");
        }
        return value;
    }
}
