package io.hookpost.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;

/** The served OpenAPI document, read by swagger-parser, as a list of operations the API tests walk through. */
final class OpenApiDocument {
    /** One operation: method, path template, and what the document says about its input. */
    record Op(String method, String path, Operation operation, Schema<?> requestSchema, boolean public_) {
        boolean hasBody() {
            return requestSchema != null;
        }

        /** The names of the operation's query parameters, as documented. */
        List<String> queryNames() {
            return operation.getParameters() == null ? List.of() : operation.getParameters().stream()
                    .filter(p -> "query".equals(p.getIn())).map(p -> p.getName()).toList();
        }

        boolean hasQuery(String name) {
            return operation.getParameters() != null
                    && operation.getParameters().stream().anyMatch(p -> "query".equals(p.getIn()) && name.equals(p.getName()));
        }

        /** The request body example, as a map (swagger-parser hands it over as a Jackson tree). */
        @SuppressWarnings("unchecked")
        Map<String, Object> example() {
            Object example = requestSchema == null ? null : requestSchema.getExample();
            return example == null ? null : new ObjectMapper().convertValue(example, Map.class);
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    final SwaggerParseResult result;
    final List<Op> operations = new ArrayList<>();

    OpenApiDocument(String text) {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        options.setResolveFully(true);
        result = new OpenAPIV3Parser().readContents(text, null, options);
        OpenAPI api = result.getOpenAPI();
        if (api == null) {
            return;
        }
        api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, operation) -> {
            Schema<?> body = null;
            if (operation.getRequestBody() != null && operation.getRequestBody().getContent() != null) {
                MediaType json = operation.getRequestBody().getContent().get("application/json");
                body = json == null ? null : json.getSchema();
            }
            boolean open = operation.getSecurity() != null && operation.getSecurity().isEmpty();
            operations.add(new Op(method.name(), path, withPathParameters(item, operation), body, open));
        }));
    }

    private static Operation withPathParameters(PathItem item, Operation operation) {
        List<Parameter> all = new ArrayList<>();
        if (item.getParameters() != null) {
            all.addAll(item.getParameters());
        }
        if (operation.getParameters() != null) {
            all.addAll(operation.getParameters());
        }
        return operation.parameters(all);
    }
}
