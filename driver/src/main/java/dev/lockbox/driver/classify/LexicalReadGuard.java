package dev.lockbox.driver.classify;

import dev.lockbox.driver.classify.SqlLexer.SqlToken;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A second, independent check that a statement the parser found read-only really is: it looks at
 * the tokens the database will see, so a construct the parser's tree hides (a function call in an
 * unusual clause, a locking or INTO clause) still makes the statement not provably read-only.
 */
final class LexicalReadGuard {
    private LexicalReadGuard() {}

    private static final Set<String> READ_LEADERS = Set.of("SELECT", "WITH", "VALUES", "TABLE", "SHOW",
            "EXPLAIN", "DESCRIBE", "DESC");

    /**
     * The verdict for one statement's tokens.
     *
     * @param readOnly     nothing but reading was seen
     * @param unknownCalls words called like functions that are not on the allow-list, upper-cased
     * @param refinement   "FOR UPDATE", "FOR SHARE" or "INTO" when such a clause was seen, else null
     */
    record Verdict(boolean readOnly, Set<String> unknownCalls, String refinement) {}

    static Verdict inspect(List<SqlToken> tokens) {
        Set<String> unknownCalls = new LinkedHashSet<>();
        String refinement = null;
        boolean readOnly = !tokens.isEmpty()
                && (READ_LEADERS.contains(tokens.get(0).upper()) || tokens.get(0).isPunctuation('('));
        for (int i = 0; i < tokens.size(); i++) {
            SqlToken t = tokens.get(i);
            SqlToken next = i + 1 < tokens.size() ? tokens.get(i + 1) : null;
            SqlToken previous = i > 0 ? tokens.get(i - 1) : null;
            if (t.kind() == SqlToken.Kind.WORD) {
                String word = t.upper();
                if (word.equals("INTO")) {
                    readOnly = false;
                    boolean rowWrite = previous != null && (previous.isWord("INSERT") || previous.isWord("MERGE")
                            || previous.isWord("UPSERT") || previous.isWord("REPLACE"));
                    if (!rowWrite && refinement == null) {
                        refinement = "INTO";
                    }
                } else if (word.equals("FOR") && next != null
                        && (next.isWord("UPDATE") || next.isWord("SHARE") || next.isWord("NO") || next.isWord("KEY"))) {
                    readOnly = false;
                    refinement = next.isWord("SHARE") || next.isWord("KEY") ? "FOR SHARE" : "FOR UPDATE";
                } else if (word.equals("NEXT") && next != null && next.isWord("VALUE")) {
                    readOnly = false;
                    unknownCalls.add("NEXT VALUE FOR");
                }
            }
            if (t.isPunctuation(':') && next != null && next.isPunctuation('=')) {
                readOnly = false; // variable assignment
            }
            if (next != null && next.isPunctuation('(') && isCall(tokens, i, previous)) {
                readOnly = false;
                String name = ObjectNames.unquote(t.text());
                if (previous != null && previous.isPunctuation('.') && i >= 2) {
                    name = ObjectNames.unquote(tokens.get(i - 2).text()) + "." + name;
                }
                unknownCalls.add(name.toUpperCase(java.util.Locale.ROOT));
            }
        }
        return new Verdict(readOnly, unknownCalls, refinement);
    }

    /** Whether token {@code i}, followed by "(", calls something not known to be side-effect free. */
    private static boolean isCall(List<SqlToken> tokens, int i, SqlToken previous) {
        SqlToken t = tokens.get(i);
        if (t.kind() == SqlToken.Kind.QUOTED_IDENTIFIER) {
            return !isColumnListOfName(tokens, i, previous);
        }
        if (t.kind() != SqlToken.Kind.WORD) {
            return false;
        }
        if (previous != null && previous.isPunctuation('.')) {
            return true; // schema-qualified: a user function, whatever its name
        }
        if (ReadOnlyFunctions.isPure(t.text()) || ReadOnlyFunctions.isKeywordBeforeParenthesis(t.text())) {
            return false;
        }
        return !isColumnListOfName(tokens, i, previous);
    }

    /** "AS x(a, b)" (alias with column names) or "WITH x(a) AS (...)" (CTE with column names). */
    private static boolean isColumnListOfName(List<SqlToken> tokens, int i, SqlToken previous) {
        if (previous != null && (previous.isWord("AS") || previous.isWord("WITH") || previous.isWord("RECURSIVE"))) {
            return true;
        }
        int depth = 0;
        for (int j = i + 1; j < tokens.size(); j++) {
            SqlToken t = tokens.get(j);
            if (t.isPunctuation('(')) {
                depth++;
            } else if (t.isPunctuation(')')) {
                depth--;
                if (depth == 0) {
                    return previous != null && previous.isPunctuation(',')
                            && j + 2 < tokens.size() && tokens.get(j + 1).isWord("AS")
                            && (tokens.get(j + 2).isPunctuation('(') || tokens.get(j + 2).isWord("MATERIALIZED")
                                    || tokens.get(j + 2).isWord("NOT"));
                }
            }
        }
        return false;
    }
}
