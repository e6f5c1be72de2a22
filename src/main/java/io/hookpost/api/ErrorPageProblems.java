package io.hookpost.api;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.web.servlet.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The answer to a request that no route took (no such path, a method the path does not allow) or that failed before
 * one did: the servlet container's error page. Spring Boot's own renders its JSON, or a "Whitelabel" HTML page for a
 * browser; Hookpost answers every error with a problem document, as its routes do. Replaces Spring Boot's error
 * controller (which backs off when one is present).
 */
@RestController
public class ErrorPageProblems implements ErrorController {
    private static final MediaType PROBLEM = MediaType.valueOf("application/problem+json");

    @RequestMapping("${server.error.path:${error.path:/error}}")
    public ResponseEntity<Map<String, Object>> error(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        HttpStatus status = code instanceof Integer c && HttpStatus.resolve(c) != null
                ? HttpStatus.valueOf(c) : HttpStatus.INTERNAL_SERVER_ERROR;
        Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        String path = uri != null ? uri.toString() : request.getRequestURI();
        String detail = switch (status) {
            case NOT_FOUND -> "Hookpost has nothing at " + path + "; its API is described at /api/v1/openapi.yaml.";
            case METHOD_NOT_ALLOWED -> request.getMethod() + " is not allowed on " + path + ".";
            default -> status.is5xxServerError()
                    ? "Hookpost failed to handle this request; the failure has been logged."
                    : "The request was refused: " + status.getReasonPhrase() + ".";
        };
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("type", "about:blank");
        doc.put("title", status.getReasonPhrase());
        doc.put("status", status.value());
        doc.put("detail", detail);
        doc.put("instance", path);
        return ResponseEntity.status(status).contentType(PROBLEM).body(doc);
    }
}
