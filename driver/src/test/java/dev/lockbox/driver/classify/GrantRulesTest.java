package dev.lockbox.driver.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockbox.api.audit.ActionClass;
import dev.lockbox.api.request.AccessLevel;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Deny reasons are clear sentences, and scope matching follows docs/statement-rules.md. */
class GrantRulesTest {
    private final StatementClassifier classifier = new StatementClassifier(100);

    private AccessDecision decide(String sql, AccessLevel level, List<String> scope) {
        return GrantRules.decide(classifier.classify(sql), level, scope);
    }

    @Test
    void readOnlyReasonsNameWhatTheStatementDoes() {
        assertEquals("read-only grant: UPDATE is a write",
                decide("UPDATE accounts SET x = 1", AccessLevel.READ_ONLY, null).denyReason());
        assertEquals("read-only grant: DROP TABLE changes the schema (DDL)",
                decide("DROP TABLE accounts", AccessLevel.READ_ONLY, null).denyReason());
        assertEquals("read-only grant: SELECT FOR UPDATE locks rows",
                decide("SELECT * FROM accounts FOR UPDATE", AccessLevel.READ_ONLY, null).denyReason());
        assertEquals("read-only grant: SELECT calls NEXTVAL(), which is not on the read-only function allow-list",
                decide("SELECT nextval('s')", AccessLevel.READ_ONLY, null).denyReason());
        assertEquals("read-only grant: SELECT; DROP TABLE changes the schema (DDL)",
                decide("SELECT 1; DROP TABLE x", AccessLevel.READ_ONLY, null).denyReason());
        assertEquals("read-only grant: the driver could not parse this SQL (RUNSCRIPT), so it cannot prove that it only reads",
                decide("RUNSCRIPT FROM 'x.sql'", AccessLevel.READ_ONLY, null).denyReason());
    }

    @Test
    void readWriteRefusesDdlRolesTruncateAndSecuritySettings() {
        assertEquals("read-write grant: CREATE TABLE changes the schema (DDL); this grant allows reading and writing rows only",
                decide("CREATE TABLE t (id INT)", AccessLevel.READ_WRITE, null).denyReason());
        assertEquals("read-write grant: GRANT changes roles or privileges",
                decide("GRANT SELECT ON accounts TO bob", AccessLevel.READ_WRITE, null).denyReason());
        assertTrue(decide("SET ROLE admin", AccessLevel.READ_WRITE, null).denyReason()
                .startsWith("read-write grant: SET ROLE changes a session security setting"));
        assertTrue(decide("TRUNCATE accounts", AccessLevel.READ_WRITE, null).denyReason().contains("TRUNCATE"));
        assertTrue(decide("SET statement_timeout = 5000", AccessLevel.READ_WRITE, null).allowed());
        assertTrue(decide("UPDATE accounts SET x = 1", AccessLevel.READ_WRITE, null).allowed());
    }

    @Test
    void scopeReasonListsTheScope() {
        assertEquals("table SECRETS is outside this grant's scope (ACCOUNTBASE, CONTACTBASE)",
                decide("SELECT * FROM SECRETS", AccessLevel.READ_ONLY, List.of("ACCOUNTBASE", "CONTACTBASE")).denyReason());
        assertEquals("function MY_FUNC is not on the read-only allow-list and could read tables outside this grant's"
                        + " scope (ACCOUNTBASE)",
                decide("SELECT my_func(1) FROM accountbase", AccessLevel.READ_WRITE, List.of("ACCOUNTBASE")).denyReason());
        assertEquals("scoped grant: the driver could not parse this SQL (COPY), so it cannot check which tables it touches",
                decide("COPY accountbase TO STDOUT", AccessLevel.READ_WRITE, List.of("ACCOUNTBASE")).denyReason());
    }

    @Test
    void scopeMatchingIsCaseInsensitiveAndSchemaAware() {
        List<String> scope = List.of("accountbase", "sales.ORDERS", "PUBLIC.invoices");
        assertTrue(decide("SELECT * FROM AccountBase", AccessLevel.READ_ONLY, scope).allowed());
        assertTrue(decide("SELECT * FROM any_schema.ACCOUNTBASE", AccessLevel.READ_ONLY, scope).allowed(),
                "an unqualified entry matches the table in any schema");
        assertTrue(decide("SELECT * FROM SALES.orders", AccessLevel.READ_ONLY, scope).allowed());
        assertFalse(decide("SELECT * FROM crm.orders", AccessLevel.READ_ONLY, scope).allowed(),
                "a qualified entry matches only its schema");
        assertFalse(decide("SELECT * FROM orders", AccessLevel.READ_ONLY, scope).allowed(),
                "an unqualified table matches a qualified entry only in PUBLIC");
        assertTrue(decide("SELECT * FROM invoices", AccessLevel.READ_ONLY, scope).allowed());
        assertTrue(decide("SELECT * FROM mydb.public.invoices", AccessLevel.READ_ONLY, scope).allowed());
        assertFalse(decide("SELECT * FROM accountbase JOIN secrets ON true", AccessLevel.READ_ONLY, scope).allowed());
        assertTrue(decide("SELECT count(*) FROM accountbase", AccessLevel.READ_ONLY, List.of()).allowed());
    }

    @Test
    void cteNamesAreNotTablesButTheTablesTheyHideAre() {
        List<String> scope = List.of("ACCOUNTS");
        assertTrue(decide("WITH recent AS (SELECT * FROM accounts) SELECT * FROM recent", AccessLevel.READ_ONLY, scope)
                .allowed());
        assertFalse(decide("WITH accounts AS (SELECT * FROM secrets) SELECT * FROM accounts", AccessLevel.READ_ONLY, scope)
                .allowed());
        assertFalse(decide("WITH t AS (SELECT * FROM t) SELECT * FROM t", AccessLevel.READ_ONLY, scope).allowed());
    }

    @Test
    void ambiguousTextsAreRefusedForEveryGrant() {
        String sql = "SELECT 1 /* /* */ 'x */ ; DROP TABLE accounts; --'";
        for (AccessLevel level : AccessLevel.values()) {
            AccessDecision d = decide(sql, level, null);
            assertFalse(d.allowed(), level.name());
            assertTrue(d.denyReason().contains("read differently by different SQL dialects"));
        }
    }

    @Test
    void missingClassificationOrLevelIsRefused() {
        assertFalse(GrantRules.decide(null, AccessLevel.READ_WRITE, null).allowed());
        Classification read = new Classification("SELECT", ActionClass.READ, List.of(), true, true, 1);
        assertFalse(GrantRules.decide(read, null, null).allowed());
        assertTrue(GrantRules.decide(read, AccessLevel.READ_ONLY, null).allowed());
    }
}
