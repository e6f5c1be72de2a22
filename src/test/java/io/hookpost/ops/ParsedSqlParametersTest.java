package io.hookpost.ops;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.hookpost.support.HookpostTest;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.RuntimeExchangeException;
import org.apache.camel.component.sql.DefaultSqlPrepareStatementStrategy;
import org.apache.camel.component.sql.SqlEndpoint;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The routes' {@code sql:} steps get their named parameters from the query parsed once, with the values camel-sql's
 * own strategy would give them, and the database gets those values.
 */
class ParsedSqlParametersTest extends HookpostTest {
    @Autowired
    CamelContext camel;
    @Autowired
    ParsedSqlParameters parsed;
    @Autowired
    ProducerTemplate producer;

    private final DefaultSqlPrepareStatementStrategy camelSql = new DefaultSqlPrepareStatementStrategy();

    @Test
    void every_sql_step_of_the_routes_uses_it() {
        List<SqlEndpoint> endpoints = camel.getEndpoints().stream()
                .filter(SqlEndpoint.class::isInstance).map(SqlEndpoint.class::cast).toList();
        assertThat(endpoints).hasSizeGreaterThan(10);
        assertThat(endpoints).allSatisfy(endpoint -> assertThat(endpoint.getPrepareStatementStrategy()).isSameAs(parsed));
    }

    @Test
    void the_query_and_the_values_are_those_camel_sql_would_give() throws Exception {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setBody(new LinkedHashMap<>(Map.of("id", "d1", "n", 7, "names", List.of("x", "y"))));
        exchange.getMessage().setHeader("owner", "node-a");
        exchange.getMessage().setHeader("id", "not this one: the body has id");
        exchange.setVariable("when", "2026-12-01");
        exchange.setProperty("hookpost.deliveryId", "d9");
        exchange.setProperty("which", "n");

        for (String query : List.of(
                "UPDATE t SET n = :?n, owner = :?owner, at = :?when WHERE id = :?id AND n <> :?n",
                "SELECT * FROM t WHERE id = :?${exchangeProperty.hookpost.deliveryId}\n  AND owner = :?owner",
                "SELECT * FROM t WHERE n = :?${body[${exchangeProperty.which}]} AND id = :?$simple{body[id]}",
                "SELECT * FROM t WHERE name IN (:?in:names) AND id = :?id",
                "SELECT * FROM t WHERE id = ? AND x = '::?'",
                "SELECT 1")) {
            assertThat(parsed.prepareQuery(query, true, exchange)).as(query)
                    .isEqualTo(camelSql.prepareQuery(query, true, exchange));
            if (query.contains(":?")) {
                Object body = exchange.getMessage().getBody();
                assertThat(values(parsed.createPopulateIterator(query, null, 0, exchange, body))).as(query)
                        .isEqualTo(values(camelSql.createPopulateIterator(query, null, 0, exchange, body)));
            }
        }
    }

    @Test
    void a_name_found_nowhere_fails_as_in_camel_sql() {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setBody(Map.of("id", "d1"));
        String query = "UPDATE t SET n = 1 WHERE id = :?id AND owner = :?owner";

        assertThatThrownBy(() -> values(parsed.createPopulateIterator(query, null, 2, exchange, exchange.getMessage().getBody())))
                .isInstanceOf(RuntimeExchangeException.class)
                .hasMessageContaining("Cannot find key [owner] in message body or headers to use when setting named parameter"
                        + " in query [" + query + "]");
    }

    @Test
    void a_batch_writes_each_row_with_its_own_values() {
        String table = "sql_parameters_" + account.replace('-', '_');
        db.execute("CREATE TABLE " + table + " (id VARCHAR(20) PRIMARY KEY, n INTEGER, owner VARCHAR(20))");
        String insert = "sql:INSERT INTO " + table + " (id, n, owner) VALUES (:#id, :#${body[n]}, :#owner)?batch=true";
        List<Map<String, Object>> rows = List.of(Map.of("id", "a", "n", 1), Map.of("id", "b", "n", 2), Map.of("id", "c", "n", 3));

        producer.sendBodyAndHeader(insert, rows, "owner", "node-a");
        producer.sendBodyAndHeader("sql:UPDATE " + table + " SET n = n * 10 WHERE id = :#${header.which}", null, "which", "b");

        assertThat(db.queryForList("SELECT id, n, owner FROM " + table + " ORDER BY id")).containsExactly(
                Map.of("id", "a", "n", 1, "owner", "node-a"),
                Map.of("id", "b", "n", 20, "owner", "node-a"),
                Map.of("id", "c", "n", 3, "owner", "node-a"));
    }

    private static List<Object> values(Iterator<?> iterator) {
        List<Object> values = new ArrayList<>();
        while (iterator.hasNext()) {
            Object value = iterator.next();
            if (value instanceof Iterator<?> list) {
                List<Object> items = new ArrayList<>();
                list.forEachRemaining(items::add);
                value = items;
            }
            values.add(value);
        }
        return values;
    }
}
