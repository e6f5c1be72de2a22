package io.hookpost;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Bytes read as UTF-8 strictly: {@code new String(bytes, UTF_8)} would put U+FFFD in place of what is not. */
public final class Utf8 {
    private Utf8() {
    }

    /** The text the bytes are in UTF-8, or null when they are not valid UTF-8. */
    public static String textOrNull(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
