package dev.lockbox.driver.classify;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small SQL lexer for the H2 and PostgreSQL dialects. It finds the literals (so that texts
 * differing only in literal values share one cache entry), the words and punctuation the
 * lexical read-only guard inspects, and the places where dialects disagree on where a literal or
 * comment ends (nested block comments, backslashes before quotes): those texts are
 * {@linkplain LexedSql#ambiguous() ambiguous}, because the parser could read a different
 * statement than the database executes.
 */
final class SqlLexer {
    private SqlLexer() {}

    static LexedSql lex(String sql) {
        LexedSql standard = lex(sql, false);
        if (standard.ambiguous() || !standard.hasBackslashInLiteral()) {
            return standard;
        }
        // PostgreSQL E'...' strings treat a backslash as an escape; if that moves a literal's end,
        // the parser and the database could see different statements.
        LexedSql escaped = lex(sql, true);
        if (!sameStructure(standard, escaped)) {
            return new LexedSql(standard.tokens(), null, true,
                    "a backslash inside an E'...' string literal moves where the literal ends", false);
        }
        return standard;
    }

    private static boolean sameStructure(LexedSql a, LexedSql b) {
        if (a.tokens().size() != b.tokens().size()) {
            return false;
        }
        for (int i = 0; i < a.tokens().size(); i++) {
            SqlToken x = a.tokens().get(i);
            SqlToken y = b.tokens().get(i);
            if (x.kind() != y.kind() || x.start() != y.start() || x.end() != y.end()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Marks a literal in a shape, followed by the literal's kind: i integer, d decimal, e number
     * with exponent, s quoted string, q dollar-quoted string. The kind is kept because it decides
     * whether the text parses at all (VARCHAR(10) parses, VARCHAR(0.5) does not); the marker
     * character is one SQL text never holds (texts that do are not shaped), so a shape can never
     * equal the shape of a text written differently.
     */
    static final char LITERAL = '\u0001';

    /**
     * Only the shape and the flags, without the token list: what a shape-cache lookup needs, with
     * no allocation per token. Texts with a backslash inside a literal get the full {@link #lex(String)},
     * whose dialect check compares token lists. The shape and flags equal those of {@code lex(sql)}.
     */
    static LexedSql shapeOnly(String sql) {
        LexedSql quick = lex(sql, false, false);
        return quick.hasBackslashInLiteral() && !quick.ambiguous() ? lex(sql) : quick;
    }

    static LexedSql lex(String sql, boolean backslashEscapes) {
        return lex(sql, backslashEscapes, true);
    }

    /** Adds a token unless only the shape is wanted ({@code tokens} is null). */
    private static void token(List<SqlToken> tokens, String sql, SqlToken.Kind kind, int start, int end) {
        if (tokens != null) {
            tokens.add(new SqlToken(kind, sql.substring(start, end), start, end));
        }
    }

    private static LexedSql lex(String sql, boolean backslashEscapes, boolean collectTokens) {
        List<SqlToken> tokens = collectTokens ? new ArrayList<>() : null;
        StringBuilder shape = new StringBuilder(sql.length());
        boolean shapeable = sql.indexOf(LITERAL) < 0;
        boolean backslashInLiteral = false;
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                shape.append(c);
                i++;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int end = sql.indexOf('\n', i);
                end = end < 0 ? n : end;
                shape.append(sql, i, end);
                i = end;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                if (end < 0) {
                    return new LexedSql(tokens, null, false, null, backslashInLiteral, true);
                }
                // PostgreSQL nests block comments, most parsers (and H2) do not: "/* /* */ x */"
                // is all comment for one and code for the other.
                if (sql.indexOf("/*", i + 2) >= 0 && sql.indexOf("/*", i + 2) < end) {
                    return new LexedSql(tokens, null, true,
                            "a block comment opens another block comment (nesting differs between SQL dialects)",
                            backslashInLiteral);
                }
                shape.append(sql, i, end + 2);
                i = end + 2;
            } else if (c == '\'') {
                // Only PostgreSQL E'...' strings read backslash escapes (H2 never does, and
                // standard_conforming_strings is on by default and cannot be SET under a grant).
                boolean escapes = backslashEscapes && i > 0 && (sql.charAt(i - 1) == 'E' || sql.charAt(i - 1) == 'e')
                        && (i < 2 || !isIdentifierPart(sql.charAt(i - 2)));
                int end = i + 1;
                boolean closed = false;
                while (end < n) {
                    char d = sql.charAt(end);
                    if (d == '\\') {
                        backslashInLiteral = true;
                        if (escapes) {
                            end += 2;
                            continue;
                        }
                    }
                    if (d == '\'') {
                        if (end + 1 < n && sql.charAt(end + 1) == '\'') {
                            end += 2;
                            continue;
                        }
                        closed = true;
                        break;
                    }
                    end++;
                }
                if (!closed) {
                    return new LexedSql(tokens, null, false, null, backslashInLiteral, true);
                }
                String content = sql.substring(i + 1, end);
                token(tokens, sql, SqlToken.Kind.STRING, i, end + 1);
                if (isPlainLiteralContent(content, true)) {
                    shape.append(LITERAL).append('s');
                } else {
                    shapeable = false;
                }
                i = end + 1;
            } else if (c == '"' || c == '`') {
                int end = i + 1;
                boolean closed = false;
                while (end < n) {
                    if (sql.charAt(end) == c) {
                        if (end + 1 < n && sql.charAt(end + 1) == c) {
                            end += 2;
                            continue;
                        }
                        closed = true;
                        break;
                    }
                    end++;
                }
                if (!closed) {
                    return new LexedSql(tokens, null, false, null, backslashInLiteral, true);
                }
                token(tokens, sql, SqlToken.Kind.QUOTED_IDENTIFIER, i, end + 1);
                shape.append(sql, i, end + 1);
                i = end + 1;
            } else if (c == '$' && i + 1 < n && Character.isDigit(sql.charAt(i + 1))) {
                int end = i + 1;
                while (end < n && Character.isDigit(sql.charAt(end))) {
                    end++;
                }
                token(tokens, sql, SqlToken.Kind.PARAMETER, i, end);
                shape.append(sql, i, end);
                i = end;
            } else if (c == '$') {
                int tagEnd = i + 1;
                while (tagEnd < n && isIdentifierPart(sql.charAt(tagEnd)) && sql.charAt(tagEnd) != '$') {
                    tagEnd++;
                }
                if (tagEnd < n && sql.charAt(tagEnd) == '$') {
                    String tag = sql.substring(i, tagEnd + 1);
                    int close = sql.indexOf(tag, tagEnd + 1);
                    if (close < 0) {
                        return new LexedSql(tokens, null, false, null, backslashInLiteral, true);
                    }
                    String content = sql.substring(tagEnd + 1, close);
                    token(tokens, sql, SqlToken.Kind.STRING, i, close + tag.length());
                    if (isPlainLiteralContent(content, false)) {
                        shape.append(LITERAL).append('q');
                    } else {
                        shapeable = false;
                    }
                    i = close + tag.length();
                } else {
                    token(tokens, sql, SqlToken.Kind.PUNCTUATION, i, i + 1);
                    shape.append(c);
                    i++;
                }
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(sql.charAt(i + 1)))) {
                int end = i;
                char kind = 'i';
                while (end < n && Character.isDigit(sql.charAt(end))) {
                    end++;
                }
                if (end < n && sql.charAt(end) == '.') {
                    kind = 'd';
                    end++;
                    while (end < n && Character.isDigit(sql.charAt(end))) {
                        end++;
                    }
                }
                if (end < n && (sql.charAt(end) == 'e' || sql.charAt(end) == 'E')) {
                    int exp = end + 1;
                    if (exp < n && (sql.charAt(exp) == '+' || sql.charAt(exp) == '-')) {
                        exp++;
                    }
                    if (exp < n && Character.isDigit(sql.charAt(exp))) {
                        kind = 'e';
                        end = exp;
                        while (end < n && Character.isDigit(sql.charAt(end))) {
                            end++;
                        }
                    }
                }
                token(tokens, sql, SqlToken.Kind.NUMBER, i, end);
                // "0x1F", "1abc", "1.2.3": dialects split these differently; keep such texts exact.
                if (end < n && (isIdentifierPart(sql.charAt(end)) || sql.charAt(end) == '.')) {
                    shapeable = false;
                }
                // Whether a number fits the parser's int (type lengths: VARCHAR(n)) or long decides
                // whether the text parses; only integers that surely fit an int share a shape.
                if ((kind == 'i' && end - i > 9) || end - i > 18) {
                    shapeable = false;
                }
                shape.append(LITERAL).append(kind);
                i = end;
            } else if (isIdentifierStart(c)) {
                int end = i + 1;
                while (end < n && isIdentifierPart(sql.charAt(end))) {
                    end++;
                }
                token(tokens, sql, SqlToken.Kind.WORD, i, end);
                shape.append(sql, i, end);
                i = end;
            } else if (c == '?') {
                token(tokens, sql, SqlToken.Kind.PARAMETER, i, i + 1);
                shape.append(c);
                i++;
            } else {
                token(tokens, sql, SqlToken.Kind.PUNCTUATION, i, i + 1);
                shape.append(c);
                i++;
            }
        }
        return new LexedSql(tokens, shapeable ? shape.toString() : null, false, null, backslashInLiteral);
    }

    /**
     * Whether a literal's content may be replaced by {@code ?} in the cache key. The content must
     * hold nothing that could end a literal or start a comment or identifier in some dialect; then
     * no dialect can read any of it as code, and two texts differing only here mean the same.
     */
    private static boolean isPlainLiteralContent(String content, boolean allowDoubledQuote) {
        for (int i = 0; i < content.length(); i++) {
            char c = content.charAt(i);
            switch (c) {
                case '\'':
                    if (!allowDoubledQuote) {
                        return false;
                    }
                    i++; // the lexer only lets doubled quotes through
                    break;
                case '\\', '"', '`', '[', ']', '$', ';', '#', '\n', '\r':
                    return false;
                case '-':
                    if (i + 1 < content.length() && content.charAt(i + 1) == '-') {
                        return false;
                    }
                    break;
                case '/':
                    if (i + 1 < content.length() && (content.charAt(i + 1) == '*' || content.charAt(i + 1) == '/')) {
                        return false;
                    }
                    break;
                case '*':
                    if (i + 1 < content.length() && content.charAt(i + 1) == '/') {
                        return false;
                    }
                    break;
                default:
                    break;
            }
        }
        return true;
    }

    static boolean isIdentifierStart(char c) {
        return Character.isLetter(c) || c == '_';
    }

    static boolean isIdentifierPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    /** One token; comments and whitespace are not tokens. */
    record SqlToken(Kind kind, String text, int start, int end) {
        enum Kind { WORD, QUOTED_IDENTIFIER, STRING, NUMBER, PARAMETER, PUNCTUATION }

        boolean isWord(String upperCase) {
            return kind == Kind.WORD && text.equalsIgnoreCase(upperCase);
        }

        boolean isPunctuation(char c) {
            return kind == Kind.PUNCTUATION && text.charAt(0) == c;
        }

        String upper() {
            return text.toUpperCase(Locale.ROOT);
        }
    }

    /**
     * The lexed text.
     *
     * @param shape               the text with every literal replaced by a {@link #LITERAL} marker and its kind, or null when
     *                            the text must only be cached by its exact form
     * @param ambiguous           dialects disagree on where a literal or comment ends
     * @param ambiguity           why, as a sentence (null unless ambiguous)
     * @param unterminated        a literal, quoted identifier or comment never ends
     */
    record LexedSql(
            List<SqlToken> tokens,
            String shape,
            boolean ambiguous,
            String ambiguity,
            boolean hasBackslashInLiteral,
            boolean unterminated) {
        LexedSql {
            tokens = tokens == null ? List.of() : tokens; // shapeOnly() collects none
        }

        LexedSql(List<SqlToken> tokens, String shape, boolean ambiguous, String ambiguity, boolean backslash) {
            this(tokens, shape, ambiguous, ambiguity, backslash, false);
        }
    }
}
