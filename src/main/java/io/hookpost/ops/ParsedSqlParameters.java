package io.hookpost.ops;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.RuntimeExchangeException;
import org.apache.camel.component.sql.DefaultSqlPrepareStatementStrategy;
import org.apache.camel.component.sql.SqlEndpoint;
import org.apache.camel.support.ExchangeHelper;
import org.springframework.stereotype.Component;

/**
 * The named parameters of the routes' {@code sql:} steps ({@code :#name}, {@code :#${expression}}), found once per
 * query. camel-sql's own strategy parses the query with regular expressions on every call and again for every row of
 * a batch, converts the body to a map once per parameter, and evaluates each {@code ${…}} parameter on a copy of the
 * whole exchange: together about 4 % of the CPU of a delivery. Values are looked up as camel-sql does: an expression
 * by the simple language (on the row of a batch), a name in the body (as a map), then the headers, then the variables;
 * a name found in none fails the same way. Queries with an {@code in:} list, whose placeholders depend on the
 * values, are left to camel-sql.
 *
 * <p>Given to every {@link SqlEndpoint} as it is added (camel-sql has no component-wide setting for it).
 */
@Component
public class ParsedSqlParameters extends DefaultSqlPrepareStatementStrategy {
    /** camel-sql's pattern for a parameter after its {@code :#} became {@code :?}. */
    private static final Pattern NAME = Pattern.compile(
            "\\:\\?((in\\:(\\w+|\\$\\{[^\\}]+\\}|\\$simple\\{[^\\}]+\\}))|(\\w+|\\$\\{[^\\}]+\\}|\\$simple\\{[^\\}]+\\}))",
            Pattern.MULTILINE);
    private static final String MISSING =
            "Cannot find key [%s] in message body or headers to use when setting named parameter in query [%s]";

    /** A query's parameters in order, or null when camel-sql must handle it (an {@code in:} list). */
    private record Parameters(String prepared, List<Parameter> list) {
    }

    /** A parameter: a name to look up, or an expression to evaluate. */
    private record Parameter(String name, Expression expression) {
    }

    private final Map<String, Parameters> queries = new ConcurrentHashMap<>();

    public ParsedSqlParameters(CamelContext camel) {
        camel.getCamelContextExtension().registerEndpointCallback((uri, endpoint) -> {
            if (endpoint instanceof SqlEndpoint sql) {
                sql.setPrepareStatementStrategy(this);
            }
            return endpoint;
        });
    }

    @Override
    public String prepareQuery(String query, boolean allowNamedParameters, Exchange exchange) throws SQLException {
        Parameters parameters = allowNamedParameters && exchange != null ? parse(query, exchange.getContext()) : null;
        return parameters != null ? parameters.prepared() : super.prepareQuery(query, allowNamedParameters, exchange);
    }

    @Override
    public Iterator<?> createPopulateIterator(String query, String preparedQuery, int expectedParams, Exchange exchange,
                                              Object value) throws SQLException {
        Parameters parameters = parse(query, exchange.getContext());
        if (parameters == null || parameters.list().isEmpty()) {
            return super.createPopulateIterator(query, preparedQuery, expectedParams, exchange, value);
        }
        Map<?, ?> row = orEmpty(exchange.getContext().getTypeConverter().tryConvertTo(Map.class, exchange, value));
        Map<?, ?> headers = orEmpty(exchange.getIn().getHeaders());
        Map<?, ?> variables = orEmpty(exchange.getVariables());
        Exchange evaluated = null;
        List<Object> values = new ArrayList<>(parameters.list().size());
        for (Parameter parameter : parameters.list()) {
            if (parameter.expression() != null) {
                if (evaluated == null) {
                    evaluated = onRow(exchange, value);
                }
                values.add(parameter.expression().evaluate(evaluated, Object.class));
            } else if (row.containsKey(parameter.name())) {
                values.add(row.get(parameter.name()));
            } else if (headers.containsKey(parameter.name())) {
                values.add(headers.get(parameter.name()));
            } else if (variables.containsKey(parameter.name())) {
                values.add(variables.get(parameter.name()));
            } else {
                throw new RuntimeExchangeException(String.format(MISSING, parameter.name(), query), exchange);
            }
        }
        return values.iterator();
    }

    /** The exchange to evaluate expressions on: itself, or for a row of a batch a copy holding that row. */
    private static Exchange onRow(Exchange exchange, Object value) {
        if (value == exchange.getMessage().getBody()) {
            return exchange;
        }
        Exchange copy = ExchangeHelper.createCopy(exchange, true);
        copy.getMessage().setBody(value);
        return copy;
    }

    private Parameters parse(String query, CamelContext camel) {
        Parameters parameters = queries.get(query);
        if (parameters == null) {
            parameters = read(query, camel);
            queries.put(query, parameters);
        }
        return parameters.list() == null ? null : parameters;
    }

    private Parameters read(String query, CamelContext camel) {
        List<Parameter> list = new ArrayList<>();
        StringBuilder prepared = new StringBuilder();
        Matcher matcher = NAME.matcher(query);
        int from = 0;
        while (from < query.length() && matcher.find(from)) {
            String name = matcher.group(1);
            if (name.startsWith("in:")) {
                return new Parameters(null, null);
            }
            int end = matcher.end();
            if (name.startsWith("${") || name.startsWith("$simple{")) {
                // a nested ${…} ends at its own closing bracket, which the pattern does not find
                int open = query.indexOf('{', matcher.start());
                end = closing(query, open) + 1;
                name = query.substring(query.indexOf('$', matcher.start()), end);
                list.add(new Parameter(null, camel.resolveLanguage("simple").createExpression(name)));
            } else {
                list.add(new Parameter(name, null));
            }
            prepared.append(query, from, matcher.start()).append('?');
            from = end;
        }
        prepared.append(query.substring(Math.min(from, query.length())));
        return new Parameters(prepared.toString(), Collections.unmodifiableList(list));
    }

    private static int closing(String text, int open) {
        int depth = 0;
        for (int i = open; i < text.length(); i++) {
            if (text.charAt(i) == '{') {
                depth++;
            } else if (text.charAt(i) == '}' && --depth == 0) {
                return i;
            }
        }
        throw new IllegalArgumentException("A parameter's brackets are not closed: " + text);
    }

    private static Map<?, ?> orEmpty(Map<?, ?> map) {
        return map == null ? Map.of() : map;
    }
}
