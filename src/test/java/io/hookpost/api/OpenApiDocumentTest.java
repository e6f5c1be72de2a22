package io.hookpost.api;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import io.hookpost.support.HookpostTest;
import org.apache.camel.CamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.VerbDefinition;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.ClassPathResource;

import static org.assertj.core.api.Assertions.assertThat;

/** The API's OpenAPI 3 document is served, valid, and describes exactly the REST routes that run. */
class OpenApiDocumentTest extends HookpostTest {
    @Autowired
    CamelContext camel;

    static String fetch(int port) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/api/v1/openapi.yaml")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("yaml"));
        return response.body();
    }

    @Test
    void the_document_is_served_without_a_key_and_is_valid_openapi_3() throws Exception {
        OpenApiDocument document = new OpenApiDocument(fetch(port));
        assertThat(document.result.getMessages()).as("swagger-parser's findings").isEmpty();
        assertThat(document.result.getOpenAPI().getOpenapi()).startsWith("3.");
        assertThat(document.operations).hasSizeGreaterThan(15);
        for (OpenApiDocument.Op op : document.operations) {
            assertThat(op.operation().getOperationId()).as("operationId of " + op).isNotBlank();
            assertThat(op.operation().getResponses()).as("responses of " + op).isNotEmpty();
            if (op.hasBody()) {
                assertThat(op.example()).as("request example of " + op).isNotNull();
                // ApiRequestFilter's answers to every body: too large, not JSON or compressed, not UTF-8
                assertThat(op.operation().getResponses()).as("answers to a body of " + op).containsKeys("400", "413", "415");
            }
        }
    }

    @Test
    void the_query_parameters_the_api_lets_through_are_those_the_document_lists() throws Exception {
        java.util.Set<String> documented = new java.util.TreeSet<>();
        new OpenApiDocument(fetch(port)).operations.forEach(op -> documented.addAll(op.queryNames()));
        assertThat(new java.util.TreeSet<>(ApiRequestFilter.QUERY_PARAMETERS)).isEqualTo(documented);
    }

    @Test
    void the_document_is_served_as_written() throws Exception {
        String written = new ClassPathResource("openapi/hookpost-api.yaml").getContentAsString(StandardCharsets.UTF_8);
        assertThat(fetch(port)).isEqualTo(written);
    }

    @Test
    void every_rest_route_is_in_the_document_and_every_documented_operation_is_a_rest_route() throws Exception {
        Set<String> documented = new OpenApiDocument(fetch(port)).operations.stream()
                .map(op -> op.method() + " " + op.path()).collect(Collectors.toCollection(TreeSet::new));
        Set<String> routed = new TreeSet<>();
        for (RestDefinition rest : ((ModelCamelContext) camel).getRestDefinitions()) {
            for (VerbDefinition verb : rest.getVerbs()) {
                String path = rest.getPath() + (verb.getPath() == null ? "" : verb.getPath());
                routed.add(verb.asVerb().toUpperCase() + " " + path.replaceAll("/+", "/"));
            }
        }
        assertThat(documented).isEqualTo(routed);
    }
}
