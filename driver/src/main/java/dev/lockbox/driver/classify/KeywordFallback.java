package dev.lockbox.driver.classify;

import dev.lockbox.api.audit.ActionClass;
import dev.lockbox.driver.classify.SqlLexer.SqlToken;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Names statements JSqlParser cannot read from their leading keywords, so that an unparsed text
 * is still audited with a meaningful action and class and the grant rules can refuse unparsed
 * DDL and role changes even for read-write grants. The result never counts as parsed, except for
 * transaction control, whose whole grammar is a handful of keywords checked here exactly.
 */
final class KeywordFallback {
    private KeywordFallback() {}

    private static final Set<String> ROLE_OBJECTS = Set.of("USER", "ROLE", "GROUP");

    /** Statements of {@code tokens} (one statement, no ";"), named by keyword. */
    static StatementFacts name(List<SqlToken> tokens) {
        StatementFacts transaction = transactionControl(tokens);
        if (transaction != null) {
            return transaction;
        }
        String first = word(tokens, 0);
        String second = word(tokens, 1);
        String action;
        ActionClass actionClass;
        switch (first) {
            case "SELECT", "WITH", "VALUES", "TABLE", "SHOW", "EXPLAIN" -> {
                LexicalReadGuard.Verdict lexical = LexicalReadGuard.inspect(tokens);
                if ("INTO".equals(lexical.refinement())) {
                    // SELECT ... INTO creates a table
                    action = first + " INTO";
                    actionClass = ActionClass.DDL;
                } else if (tokens.stream().anyMatch(t -> t.isWord("INSERT") || t.isWord("UPDATE")
                        || t.isWord("DELETE") || t.isWord("MERGE"))) {
                    action = first;
                    actionClass = ActionClass.WRITE;
                } else {
                    action = first;
                    actionClass = ActionClass.READ;
                }
            }
            case "INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "REPLACE", "COPY", "TRUNCATE" -> {
                action = first;
                actionClass = ActionClass.WRITE;
            }
            case "CREATE", "ALTER", "DROP" -> {
                String object = second.equals("OR") ? word(tokens, 3) : second;
                action = first + (object.isEmpty() ? "" : " " + object);
                actionClass = ROLE_OBJECTS.contains(object) ? ActionClass.ROLE : ActionClass.DDL;
            }
            case "GRANT", "REVOKE" -> {
                action = first;
                actionClass = ActionClass.ROLE;
            }
            case "COMMENT", "RENAME", "REINDEX", "CLUSTER", "SECURITY", "IMPORT", "REFRESH" -> {
                action = first;
                actionClass = ActionClass.DDL;
            }
            case "CALL", "DO", "EXECUTE", "EXEC", "PERFORM" -> {
                action = first;
                actionClass = ActionClass.FUNCTION;
            }
            case "" -> {
                action = "UNKNOWN";
                actionClass = ActionClass.MISC;
            }
            default -> {
                // SET, SCRIPT, RUNSCRIPT, BACKUP, SHUTDOWN, VACUUM, LISTEN, NOTIFY, LOCK, DISCARD, ...
                action = first;
                actionClass = ActionClass.MISC;
            }
        }
        return new StatementFacts(action, actionClass, List.of(), false, false, false);
    }

    /**
     * BEGIN / START TRANSACTION / END / RELEASE SAVEPOINT and friends, which JSqlParser 5.3 does
     * not read. Only the exact forms are accepted; anything more is left unparsed.
     */
    private static StatementFacts transactionControl(List<SqlToken> tokens) {
        if (tokens.isEmpty() || !allWords(tokens)) {
            return null;
        }
        String first = word(tokens, 0);
        String rest = joinWords(tokens, 1);
        boolean known = switch (first) {
            case "BEGIN", "END", "COMMIT", "ABORT" -> Set.of("", "WORK", "TRANSACTION").contains(rest);
            case "START" -> rest.equals("TRANSACTION") || rest.startsWith("TRANSACTION ISOLATION LEVEL ")
                    || rest.equals("TRANSACTION READ ONLY") || rest.equals("TRANSACTION READ WRITE");
            case "RELEASE" -> tokens.size() == 2 || (tokens.size() == 3 && word(tokens, 1).equals("SAVEPOINT"));
            default -> false;
        };
        if (!known) {
            return null;
        }
        String action = first.equals("START") ? "START TRANSACTION" : first;
        return new StatementFacts(action, ActionClass.MISC, List.of(), true, true, false);
    }

    private static boolean allWords(List<SqlToken> tokens) {
        return tokens.stream().allMatch(t -> t.kind() == SqlToken.Kind.WORD
                || t.kind() == SqlToken.Kind.QUOTED_IDENTIFIER);
    }

    private static String joinWords(List<SqlToken> tokens, int from) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < tokens.size(); i++) {
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append(tokens.get(i).upper());
        }
        return b.toString();
    }

    static String word(List<SqlToken> tokens, int index) {
        if (index >= tokens.size() || tokens.get(index).kind() != SqlToken.Kind.WORD) {
            return "";
        }
        return tokens.get(index).text().toUpperCase(Locale.ROOT);
    }
}
