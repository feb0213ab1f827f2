package dev.lockbox.driver.classify;

import java.util.Locale;
import java.util.Set;

/**
 * The functions a read-only statement may call: built-in H2 and PostgreSQL functions that only
 * compute a value from their arguments (docs/statement-rules.md). Anything else (user functions,
 * sequence functions, file and network access, sleeping, settings) makes a statement not
 * provably read-only, because the driver cannot see what it does.
 */
final class ReadOnlyFunctions {
    private ReadOnlyFunctions() {}

    private static final Set<String> PURE = Set.of(
            // aggregates
            "COUNT", "SUM", "MIN", "MAX", "AVG", "EVERY", "BOOL_AND", "BOOL_OR", "BIT_AND", "BIT_OR",
            "STRING_AGG", "ARRAY_AGG", "LISTAGG", "GROUP_CONCAT", "STDDEV", "STDDEV_POP", "STDDEV_SAMP",
            "VARIANCE", "VAR_POP", "VAR_SAMP", "MEDIAN", "MODE", "PERCENTILE_CONT", "PERCENTILE_DISC",
            "ANY_VALUE", "JSON_AGG", "JSONB_AGG", "JSON_OBJECT_AGG", "JSON_ARRAYAGG", "JSON_OBJECTAGG",
            // window functions
            "ROW_NUMBER", "RANK", "DENSE_RANK", "PERCENT_RANK", "CUME_DIST", "NTILE", "LAG", "LEAD",
            "FIRST_VALUE", "LAST_VALUE", "NTH_VALUE",
            // conditionals and conversion
            "COALESCE", "NULLIF", "GREATEST", "LEAST", "CAST", "CONVERT", "IFNULL", "NVL", "NVL2",
            "DECODE", "CASEWHEN", "TO_CHAR", "TO_DATE", "TO_TIMESTAMP", "TO_NUMBER",
            // strings
            "LOWER", "UPPER", "LCASE", "UCASE", "INITCAP", "LENGTH", "CHAR_LENGTH", "CHARACTER_LENGTH",
            "OCTET_LENGTH", "BIT_LENGTH", "SUBSTRING", "SUBSTR", "LEFT", "RIGHT", "TRIM", "LTRIM", "RTRIM",
            "BTRIM", "LPAD", "RPAD", "REPLACE", "TRANSLATE", "POSITION", "LOCATE", "INSTR", "STRPOS",
            "CONCAT", "CONCAT_WS", "REPEAT", "REVERSE", "SPLIT_PART", "ASCII", "CHR", "CHAR", "FORMAT",
            "REGEXP_REPLACE", "REGEXP_LIKE", "REGEXP_SUBSTR", "REGEXP_MATCHES", "STARTS_WITH", "MD5",
            "OVERLAY", "QUOTE_IDENT", "QUOTE_LITERAL", "SOUNDEX", "DIFFERENCE", "SPACE", "HEXTORAW",
            "RAWTOHEX", "UTF8TOSTRING", "STRINGTOUTF8", "ENCODE",
            // numbers
            "ABS", "CEIL", "CEILING", "FLOOR", "ROUND", "TRUNC", "TRUNCATE", "MOD", "POWER", "POW", "SQRT",
            "CBRT", "EXP", "LN", "LOG", "LOG10", "SIGN", "PI", "DEGREES", "RADIANS", "SIN", "COS", "TAN",
            "ASIN", "ACOS", "ATAN", "ATAN2", "DIV", "WIDTH_BUCKET", "BITAND", "BITOR", "BITXOR",
            // dates and times (reading the clock has no side effect)
            "NOW", "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "LOCALTIME", "LOCALTIMESTAMP",
            "EXTRACT", "DATE_PART", "DATE_TRUNC", "DATEADD", "DATEDIFF", "DATE_ADD", "DATE_SUB", "YEAR",
            "MONTH", "DAY", "DAYOFMONTH", "DAYOFWEEK", "DAYOFYEAR", "HOUR", "MINUTE", "SECOND", "WEEK",
            "QUARTER", "AGE", "MAKE_DATE", "MAKE_TIMESTAMP", "FORMATDATETIME", "PARSEDATETIME",
            "STATEMENT_TIMESTAMP", "TRANSACTION_TIMESTAMP", "CLOCK_TIMESTAMP", "ISFINITE", "TIMEOFDAY",
            // json, arrays, misc value functions
            "JSON_OBJECT", "JSON_ARRAY", "JSON_BUILD_OBJECT", "JSON_BUILD_ARRAY", "JSONB_BUILD_OBJECT",
            "JSONB_BUILD_ARRAY", "TO_JSON", "TO_JSONB", "JSON_EXTRACT_PATH", "JSON_EXTRACT_PATH_TEXT",
            "JSONB_EXTRACT_PATH", "JSONB_EXTRACT_PATH_TEXT", "ROW_TO_JSON", "ARRAY_LENGTH", "CARDINALITY",
            "ARRAY_TO_STRING", "STRING_TO_ARRAY", "ARRAY_POSITION", "ARRAY_CONTAINS", "UNNEST",
            "GENERATE_SERIES", "SYSTEM_RANGE", "ROW", "ARRAY",
            // session facts that only read
            "VERSION", "CURRENT_DATABASE", "CURRENT_SCHEMA", "CURRENT_USER", "SESSION_USER", "DATABASE",
            "USER", "PG_TYPEOF", "TYPEOF");

    /**
     * Words that may precede {@code (} without being a function call: SQL keywords (subqueries,
     * lists, window clauses, special-syntax forms the parser handles itself). A word not here and
     * not in {@link #PURE} followed by {@code (} is treated as a call of an unknown function.
     */
    private static final Set<String> KEYWORDS_BEFORE_PARENTHESIS = Set.of(
            "SELECT", "FROM", "JOIN", "ON", "USING", "WHERE", "AND", "OR", "NOT", "IN", "EXISTS", "ANY",
            "ALL", "SOME", "AS", "VALUES", "OVER", "FILTER", "WITHIN", "GROUP", "BY", "PARTITION", "HAVING",
            "UNION", "INTERSECT", "EXCEPT", "MINUS", "LATERAL", "WHEN", "THEN", "ELSE", "CASE", "IS",
            "LIKE", "ILIKE", "BETWEEN", "DISTINCT", "LIMIT", "OFFSET", "FETCH", "ORDER", "WITH", "CUBE",
            "ROLLUP", "GROUPING", "SETS", "ESCAPE", "SIMILAR", "TO", "RECURSIVE", "WINDOW", "RANGE",
            "ROWS", "INTERVAL", "NULLS", "ASC", "DESC", "TOP", "EXPLAIN", "TABLE", "OF", "ONLY",
            // type names with a length or precision: CAST(x AS VARCHAR(10)), DECIMAL(10, 2)
            "VARCHAR", "CHARACTER", "VARYING", "DECIMAL", "NUMERIC", "NUMBER", "TIMESTAMP", "TIME",
            "FLOAT", "VARBINARY", "BINARY", "BIT", "VARCHAR2", "NVARCHAR", "NCHAR");

    static boolean isPure(String functionName) {
        return PURE.contains(functionName.toUpperCase(Locale.ROOT));
    }

    static boolean isKeywordBeforeParenthesis(String word) {
        return KEYWORDS_BEFORE_PARENTHESIS.contains(word.toUpperCase(Locale.ROOT));
    }

    /** PostgreSQL sequence functions whose first argument names the sequence they advance or read. */
    static boolean isSequenceFunction(String functionName) {
        String f = functionName.toUpperCase(Locale.ROOT);
        return f.equals("NEXTVAL") || f.equals("CURRVAL") || f.equals("SETVAL") || f.equals("LASTVAL");
    }
}
