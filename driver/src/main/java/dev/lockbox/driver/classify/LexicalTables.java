package dev.lockbox.driver.classify;

import dev.lockbox.driver.classify.SqlLexer.SqlToken;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Table names read from the tokens after FROM, JOIN, INTO, UPDATE, USING and TABLE. This backs up
 * the parse tree walk: JSqlParser's finder does not descend into every clause (RETURNING, ON
 * CONFLICT, MERGE conditions), and a table it misses must still meet the grant's scope. Names of
 * CTEs defined anywhere in the statement are left out here; the tree walk, which scopes them
 * properly, still reports a real table that shares a CTE's name.
 */
final class LexicalTables {
    private LexicalTables() {}

    private static final Set<String> INTRODUCERS = Set.of("FROM", "JOIN", "INTO", "UPDATE", "USING", "TABLE");
    private static final Set<String> NOT_A_TABLE = Set.of("SELECT", "WITH", "VALUES", "LATERAL", "SET", "OF",
            "SKIP", "NOWAIT", "TEMP", "TEMPORARY", "UNLOGGED", "STDIN", "STDOUT", "WHERE", "ON", "AS", "DEFAULT",
            "NOTHING", "ALL", "DISTINCT", "UNNEST");

    static Set<String> find(List<SqlToken> tokens) {
        Set<String> cteNames = cteNames(tokens);
        Set<String> tables = new LinkedHashSet<>();
        Deque<Boolean> insideCall = new ArrayDeque<>();
        for (int i = 0; i < tokens.size(); i++) {
            SqlToken t = tokens.get(i);
            if (t.isPunctuation('(')) {
                insideCall.push(isCallParenthesis(tokens, i));
                continue;
            }
            if (t.isPunctuation(')')) {
                if (!insideCall.isEmpty()) {
                    insideCall.pop();
                }
                continue;
            }
            if (t.kind() != SqlToken.Kind.WORD || !INTRODUCERS.contains(t.upper())) {
                continue;
            }
            if (!insideCall.isEmpty() && insideCall.peek()) {
                continue; // EXTRACT(YEAR FROM x), SUBSTRING(s FROM 2), TRIM(BOTH FROM s)
            }
            SqlToken previous = i > 0 ? tokens.get(i - 1) : null;
            if (previous != null && (previous.isWord("DISTINCT") || previous.isWord("FOR") || previous.isWord("KEY")
                    || previous.isWord("NO"))) {
                continue; // IS DISTINCT FROM, FOR UPDATE, FOR NO KEY UPDATE
            }
            int j = i + 1;
            if (j < tokens.size() && tokens.get(j).isWord("ONLY")) {
                j++;
            }
            List<String> parts = new ArrayList<>();
            while (j < tokens.size()) {
                SqlToken part = tokens.get(j);
                boolean name = part.kind() == SqlToken.Kind.QUOTED_IDENTIFIER
                        || (part.kind() == SqlToken.Kind.WORD && !NOT_A_TABLE.contains(part.upper()));
                if (!name) {
                    break;
                }
                parts.add(part.text());
                if (j + 1 < tokens.size() && tokens.get(j + 1).isPunctuation('.')) {
                    j += 2;
                } else {
                    j++;
                    break;
                }
            }
            boolean call = j < tokens.size() && tokens.get(j).isPunctuation('(') && !t.isWord("INTO");
            if (parts.isEmpty() || call) {
                continue;
            }
            if (parts.size() == 1 && cteNames.stream().anyMatch(c -> ObjectNames.sameIdentifier(c, parts.get(0)))) {
                continue;
            }
            tables.add(ObjectNames.qualifiedUnquoted(parts));
        }
        return tables;
    }

    /** A "(" opened by a function name (not a keyword) that does not start a subquery. */
    private static boolean isCallParenthesis(List<SqlToken> tokens, int i) {
        if (i == 0) {
            return false;
        }
        SqlToken before = tokens.get(i - 1);
        boolean afterName = before.kind() == SqlToken.Kind.WORD && !ReadOnlyFunctions.isKeywordBeforeParenthesis(before.text());
        boolean subquery = i + 1 < tokens.size() && (tokens.get(i + 1).isWord("SELECT") || tokens.get(i + 1).isWord("WITH")
                || tokens.get(i + 1).isWord("VALUES"));
        return afterName && !subquery;
    }

    /** Names defined as "name AS (" or "name(cols) AS (" after WITH or a comma. */
    private static Set<String> cteNames(List<SqlToken> tokens) {
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i + 2 < tokens.size(); i++) {
            SqlToken name = tokens.get(i);
            if (name.kind() != SqlToken.Kind.WORD && name.kind() != SqlToken.Kind.QUOTED_IDENTIFIER) {
                continue;
            }
            int j = i + 1;
            if (tokens.get(j).isPunctuation('(')) {
                int depth = 0;
                for (; j < tokens.size(); j++) {
                    if (tokens.get(j).isPunctuation('(')) {
                        depth++;
                    } else if (tokens.get(j).isPunctuation(')') && --depth == 0) {
                        break;
                    }
                }
                j++;
            }
            if (j + 1 < tokens.size() && tokens.get(j).isWord("AS")
                    && (tokens.get(j + 1).isPunctuation('(') || tokens.get(j + 1).isWord("MATERIALIZED")
                            || tokens.get(j + 1).isWord("NOT"))) {
                names.add(name.text());
            }
        }
        return names;
    }
}
