package io.hookpost.api;

/**
 * A client error that becomes an RFC 9457 {@code application/problem+json} answer. Thrown before
 * anything is written, so a rejected request changes nothing.
 */
public class ProblemException extends RuntimeException {
    private final int status;
    private final String title;

    public ProblemException(int status, String title, String detail) {
        // no stack trace: it would say where Hookpost noticed the client's mistake, which the answer already says, and
        // filling it in was a tenth of a refused request's CPU (bench/RESULTS.md, fifteenth session)
        super(detail, null, false, false);
        this.status = status;
        this.title = title;
    }

    private static final java.util.regex.Pattern JAVA_EXCEPTION = java.util.regex.Pattern.compile(
            "\\b(?:[a-z_][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*(?:Exception|Error)\\b:?\\s*");
    private static final java.util.regex.Pattern JAVA_CLASS = java.util.regex.Pattern.compile(
            "\\bclass (?:[a-z_][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*");

    /**
     * A library's message about the client's input, fit for a detail: without the parts of a parser's message that
     * name Jackson's settings and sources, and without the Java exception and class names some libraries (JSON
     * Schema's, JSONPath's) put in theirs, which say nothing to an API client.
     */
    public static String plain(String libraryMessage) {
        if (libraryMessage == null) {
            return "";
        }
        int cut = libraryMessage.length();
        for (String marker : new String[] {" (start marker", ": enable `", ", from `", "\n at [Source", "\n"}) {
            int at = libraryMessage.indexOf(marker);
            if (at >= 0 && at < cut) {
                cut = at;
            }
        }
        String text = JAVA_EXCEPTION.matcher(libraryMessage.substring(0, cut)).replaceAll("");
        text = JAVA_CLASS.matcher(text).replaceAll("a value of another kind").strip();
        long open = text.chars().filter(c -> c == '(').count();
        long close = text.chars().filter(c -> c == ')').count();
        return open > close ? text + ")" : text;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public static ProblemException badRequest(String detail) {
        return new ProblemException(400, "Bad Request", detail);
    }

    public static ProblemException unauthorized(String detail) {
        return new ProblemException(401, "Unauthorized", detail);
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(404, "Not Found", detail);
    }

    public static ProblemException conflict(String detail) {
        return new ProblemException(409, "Conflict", detail);
    }

    public static ProblemException tooLarge(String detail) {
        return new ProblemException(413, "Content Too Large", detail);
    }

    public static ProblemException unprocessable(String detail) {
        return new ProblemException(422, "Unprocessable Content", detail);
    }
}
