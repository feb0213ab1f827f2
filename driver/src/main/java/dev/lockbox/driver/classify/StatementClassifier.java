package dev.lockbox.driver.classify;

import dev.lockbox.api.audit.ActionClass;
import dev.lockbox.driver.classify.SqlLexer.LexedSql;
import dev.lockbox.driver.classify.SqlLexer.SqlToken;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import net.sf.jsqlparser.parser.CCJSqlParser;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.Statements;
import net.sf.jsqlparser.statement.UnsupportedStatement;

/**
 * Classifies SQL texts with JSqlParser (DESIGN.md, "Driver"; docs/statement-rules.md).
 * Thread-safe. Results are cached by exact text and by shape (the text with its literals replaced
 * by {@code ?}), so {@code ... WHERE id = 7} and {@code ... WHERE id = 8} cost one parse; both
 * caches are bounded.
 *
 * <p>Everything the parser cannot read, including texts over {@link #MAX_SQL_CHARS}, parser
 * errors, null results and statements it only skims ({@code UnsupportedStatement}), comes back
 * with {@code parsed = false}; texts that SQL dialects read differently (nested block comments,
 * backslashes before quotes) come back as action {@code AMBIGUOUS}, which no grant allows.
 */
public final class StatementClassifier {
    /** Texts longer than this are not parsed at all (256 Ki characters). */
    public static final int MAX_SQL_CHARS = 256 * 1024;
    /** Texts longer than this are classified but not cached (the cache holds its keys). */
    static final int MAX_CACHED_CHARS = 16 * 1024;
    /** The action of a text dialects read differently; never allowed. */
    public static final String AMBIGUOUS = "AMBIGUOUS";
    /** The action of a text nobody could read. */
    public static final String UNKNOWN = "UNKNOWN";

    private final ClassificationCache byText;
    private final ClassificationCache byShape;

    /** @param cacheSize entries kept in each of the two caches; 0 disables caching */
    public StatementClassifier(int cacheSize) {
        if (cacheSize < 0) {
            throw new IllegalArgumentException("cacheSize must be 0 or more, was " + cacheSize);
        }
        this.byText = new ClassificationCache(cacheSize);
        this.byShape = new ClassificationCache(cacheSize);
    }

    public Classification classify(String sql) {
        if (sql == null || sql.isBlank()) {
            return unparsed(UNKNOWN, 0);
        }
        if (sql.length() > MAX_SQL_CHARS) {
            return unparsed(UNKNOWN, 1);
        }
        boolean cacheable = sql.length() <= MAX_CACHED_CHARS;
        if (cacheable) {
            Classification cached = byText.get(sql);
            if (cached != null) {
                return cached;
            }
        }
        if (cacheable) {
            // the shape is all a lookup needs; tokens are only lexed when the shape misses too
            LexedSql shaped = SqlLexer.shapeOnly(sql);
            if (shaped.shape() != null && !shaped.ambiguous()) {
                Classification cached = byShape.get(shaped.shape());
                if (cached != null) {
                    byText.put(sql, cached);
                    return cached;
                }
            }
        }
        LexedSql lexed = SqlLexer.lex(sql);
        Result result = classifyUncached(sql, lexed);
        if (cacheable) {
            byText.put(sql, result.classification());
            if (lexed.shape() != null && !lexed.ambiguous() && !result.literalSensitive()) {
                byShape.put(lexed.shape(), result.classification());
            }
        }
        return result.classification();
    }

    /** The classification without any cache (used by tests to prove the caches change nothing). */
    static Classification classifyWithoutCache(String sql) {
        return new StatementClassifier(0).classify(sql);
    }

    private record Result(Classification classification, boolean literalSensitive) {}

    private static Result classifyUncached(String sql, LexedSql lexed) {
        List<List<SqlToken>> pieces = splitStatements(lexed.tokens());
        if (lexed.ambiguous()) {
            return new Result(new Classification(AMBIGUOUS, ActionClass.MISC, List.of(), false, false,
                    Math.max(1, pieces.size())), false);
        }
        Statements statements = parse(sql);
        List<StatementFacts> facts = new ArrayList<>();
        if (statements == null || lexed.unterminated()) {
            for (List<SqlToken> piece : pieces) {
                facts.addAll(classifyPiece(sql, piece, pieces.size() > 1 && !lexed.unterminated()));
            }
            if (facts.isEmpty()) {
                facts.add(new StatementFacts(UNKNOWN, ActionClass.MISC, List.of(), false, false, false));
            }
        } else {
            List<Statement> flat = new ArrayList<>();
            flatten(statements, flat);
            // The lexer and the parser must agree on the statement boundaries; if not, one of
            // them misread the text, and the lexer's view of the pieces cannot be trusted.
            boolean piecesMatch = flat.size() == pieces.size();
            for (int i = 0; i < flat.size(); i++) {
                Statement statement = flat.get(i);
                List<SqlToken> piece = piecesMatch ? pieces.get(i) : lexed.tokens();
                StatementFacts one = analyzeOne(statement, piece);
                if (!piecesMatch && one.provenReadOnly()) {
                    one = new StatementFacts(one.action(), one.actionClass(), one.objects(), false, one.parsed(),
                            one.literalSensitive());
                }
                facts.add(one);
            }
            if (facts.isEmpty()) {
                facts.add(new StatementFacts(UNKNOWN, ActionClass.MISC, List.of(), false, false, false));
            }
        }
        return combine(facts);
    }

    /**
     * One statement of a text the parser could not read as a whole (often one statement, such as
     * BEGIN, that it does not know): parse it alone, so the others are still classified.
     */
    private static List<StatementFacts> classifyPiece(String sql, List<SqlToken> piece, boolean parseAlone) {
        if (parseAlone) {
            String text = sql.substring(piece.get(0).start(), piece.get(piece.size() - 1).end());
            Statements statements = parse(text);
            if (statements != null) {
                List<Statement> flat = new ArrayList<>();
                flatten(statements, flat);
                if (flat.size() == 1) {
                    return List.of(analyzeOne(flat.get(0), piece));
                }
            }
        }
        return List.of(KeywordFallback.name(piece));
    }

    private static void flatten(Iterable<Statement> statements, List<Statement> out) {
        for (Statement statement : statements) {
            List<Statement> inner = statement == null ? null : StatementAnalyzer.blockStatements(statement);
            if (inner != null) {
                flatten(inner, out);
            } else {
                out.add(statement);
            }
        }
    }

    private static StatementFacts analyzeOne(Statement statement, List<SqlToken> piece) {
        if (statement == null || statement instanceof UnsupportedStatement) {
            return KeywordFallback.name(piece);
        }
        try {
            StatementFacts facts = StatementAnalyzer.analyze(statement, piece);
            return facts != null ? facts : KeywordFallback.name(piece);
        } catch (RuntimeException | StackOverflowError unexpected) {
            // Fail closed: a tree the analyzer cannot walk is treated as SQL it cannot read.
            return KeywordFallback.name(piece);
        }
    }

    /**
     * Parses on the caller's thread: {@code CCJSqlParserUtil.parse(String)} would start an
     * executor thread per call. Simple parsing first, complex parsing only if that fails.
     */
    private static Statements parse(String sql) {
        try {
            return parser(sql).withAllowComplexParsing(false).Statements();
        } catch (Exception | Error simpleFailed) {
            if (simpleFailed instanceof VirtualMachineError && !(simpleFailed instanceof StackOverflowError)) {
                throw (VirtualMachineError) simpleFailed;
            }
            try {
                return parser(sql).withAllowComplexParsing(true).Statements();
            } catch (Exception | Error complexFailed) {
                if (complexFailed instanceof VirtualMachineError && !(complexFailed instanceof StackOverflowError)) {
                    throw (VirtualMachineError) complexFailed;
                }
                return null;
            }
        }
    }

    private static CCJSqlParser parser(String sql) {
        return CCJSqlParserUtil.newParser(sql);
    }

    /** Splits tokens at top-level semicolons, dropping empty statements. */
    static List<List<SqlToken>> splitStatements(List<SqlToken> tokens) {
        List<List<SqlToken>> pieces = new ArrayList<>();
        List<SqlToken> current = new ArrayList<>();
        for (SqlToken token : tokens) {
            if (token.isPunctuation(';')) {
                if (!current.isEmpty()) {
                    pieces.add(current);
                    current = new ArrayList<>();
                }
            } else {
                current.add(token);
            }
        }
        if (!current.isEmpty()) {
            pieces.add(current);
        }
        return pieces;
    }

    private static Result combine(List<StatementFacts> facts) {
        List<String> actions = new ArrayList<>();
        Set<String> objects = new LinkedHashSet<>();
        ActionClass strongest = ActionClass.READ;
        boolean readOnly = true;
        boolean parsed = true;
        boolean literalSensitive = false;
        for (StatementFacts f : facts) {
            actions.add(f.action());
            objects.addAll(f.objects());
            if (StatementFacts.power(f.actionClass()) > StatementFacts.power(strongest)) {
                strongest = f.actionClass();
            }
            readOnly &= f.provenReadOnly() && f.parsed();
            parsed &= f.parsed();
            literalSensitive |= f.literalSensitive();
        }
        return new Result(new Classification(String.join(";", actions), strongest, List.copyOf(objects),
                readOnly, parsed, facts.size()), literalSensitive);
    }

    private static Classification unparsed(String action, int statements) {
        return new Classification(action, ActionClass.MISC, List.of(), false, false, statements);
    }
}
