package dev.lockbox.driver.classify;

import dev.lockbox.api.audit.ActionClass;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.Block;
import net.sf.jsqlparser.statement.Commit;
import net.sf.jsqlparser.statement.DescribeStatement;
import net.sf.jsqlparser.statement.ExplainStatement;
import net.sf.jsqlparser.statement.ResetStatement;
import net.sf.jsqlparser.statement.RollbackStatement;
import net.sf.jsqlparser.statement.SavepointStatement;
import net.sf.jsqlparser.statement.SetStatement;
import net.sf.jsqlparser.statement.ShowColumnsStatement;
import net.sf.jsqlparser.statement.ShowStatement;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.UseStatement;
import net.sf.jsqlparser.statement.alter.Alter;
import net.sf.jsqlparser.statement.alter.AlterSession;
import net.sf.jsqlparser.statement.alter.AlterSystemStatement;
import net.sf.jsqlparser.statement.alter.RenameTableStatement;
import net.sf.jsqlparser.statement.alter.sequence.AlterSequence;
import net.sf.jsqlparser.statement.analyze.Analyze;
import net.sf.jsqlparser.statement.comment.Comment;
import net.sf.jsqlparser.statement.create.index.CreateIndex;
import net.sf.jsqlparser.statement.create.schema.CreateSchema;
import net.sf.jsqlparser.statement.create.sequence.CreateSequence;
import net.sf.jsqlparser.statement.create.synonym.CreateSynonym;
import net.sf.jsqlparser.statement.create.table.CreateTable;
import net.sf.jsqlparser.statement.create.view.AlterView;
import net.sf.jsqlparser.statement.create.view.CreateView;
import net.sf.jsqlparser.statement.delete.Delete;
import net.sf.jsqlparser.statement.drop.Drop;
import net.sf.jsqlparser.statement.execute.Execute;
import net.sf.jsqlparser.statement.grant.Grant;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.merge.Merge;
import net.sf.jsqlparser.statement.refresh.RefreshMaterializedViewStatement;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.Values;
import net.sf.jsqlparser.statement.show.ShowIndexStatement;
import net.sf.jsqlparser.statement.show.ShowTablesStatement;
import net.sf.jsqlparser.statement.truncate.Truncate;
import net.sf.jsqlparser.statement.update.Update;
import net.sf.jsqlparser.statement.upsert.Upsert;
import net.sf.jsqlparser.statement.CreateFunctionalStatement;

/**
 * Classifies one parsed statement: its action, pgaudit class, the objects it touches and whether
 * it is proven read-only. A statement type this class does not know is reported as unparsed, so
 * the grant rules treat it like SQL the parser could not read (fail closed).
 */
final class StatementAnalyzer {
    private StatementAnalyzer() {}

    static StatementFacts analyze(Statement statement, List<SqlLexer.SqlToken> tokens) {
        LexicalReadGuard.Verdict lexical = LexicalReadGuard.inspect(tokens);
        if (statement instanceof Select select) {
            return withLexicalTables(select(select, select instanceof Values ? "VALUES" : "SELECT", lexical), tokens);
        }
        if (statement instanceof ExplainStatement explain) {
            if (explain.getStatement() == null) {
                return withObjects("EXPLAIN", ActionClass.MISC, List.of(explain.getTable()), true);
            }
            StatementFacts inner = select(explain.getStatement(), "SELECT", lexical);
            return new StatementFacts("EXPLAIN", inner.provenReadOnly() ? ActionClass.READ : inner.actionClass(),
                    inner.objects(), inner.provenReadOnly(), inner.parsed(), inner.literalSensitive());
        }
        if (statement instanceof Insert || statement instanceof Update || statement instanceof Delete
                || statement instanceof Merge || statement instanceof Upsert) {
            return withLexicalTables(write(statement), tokens);
        }
        if (statement instanceof Truncate truncate) {
            List<Table> tables = truncate.getTables() != null && !truncate.getTables().isEmpty()
                    ? truncate.getTables() : listOf(truncate.getTable());
            return withObjects("TRUNCATE", ActionClass.WRITE, tables, false);
        }
        if (statement instanceof CreateTable create) {
            return ddl("CREATE TABLE", statement, listOf(create.getTable()));
        }
        if (statement instanceof CreateView create) {
            return ddl("CREATE VIEW", statement, listOf(create.getView()));
        }
        if (statement instanceof CreateIndex create) {
            return ddl("CREATE INDEX", statement, listOf(create.getTable()));
        }
        if (statement instanceof CreateSequence || statement instanceof CreateSchema
                || statement instanceof CreateSynonym || statement instanceof CreateFunctionalStatement) {
            return ddl("CREATE", statement, List.of());
        }
        if (statement instanceof Alter alter) {
            return ddl("ALTER TABLE", statement, listOf(alter.getTable()));
        }
        if (statement instanceof AlterView alter) {
            return ddl("ALTER VIEW", statement, listOf(alter.getView()));
        }
        if (statement instanceof AlterSequence || statement instanceof RenameTableStatement
                || statement instanceof AlterSession || statement instanceof AlterSystemStatement) {
            return ddl("ALTER", statement, List.of());
        }
        if (statement instanceof Drop drop) {
            String type = drop.getType() == null ? "" : drop.getType().toUpperCase(Locale.ROOT);
            ActionClass actionClass = type.equals("USER") || type.equals("ROLE") ? ActionClass.ROLE : ActionClass.DDL;
            return withObjects(("DROP " + type).trim(), actionClass, listOf(drop.getName()), false);
        }
        if (statement instanceof Comment comment) {
            List<Table> tables = new ArrayList<>(listOf(comment.getTable()));
            if (comment.getColumn() != null) {
                tables.add(comment.getColumn().getTable());
            }
            return withObjects("COMMENT", ActionClass.DDL, tables, false);
        }
        if (statement instanceof RefreshMaterializedViewStatement refresh) {
            return withObjects("REFRESH MATERIALIZED VIEW", ActionClass.DDL, listOf(refresh.getView()), false);
        }
        if (statement instanceof Grant grant) {
            List<String> objects = grant.getObjectNameParts() == null || grant.getObjectNameParts().isEmpty()
                    ? List.of() : List.of(ObjectNames.qualifiedUnquoted(grant.getObjectNameParts()));
            return new StatementFacts("GRANT", ActionClass.ROLE, objects, false, true, false);
        }
        if (statement instanceof Execute execute) {
            String kind = execute.getExecType() == null ? "CALL" : execute.getExecType().name();
            String routine = ObjectNames.unquote(execute.getName()).toUpperCase(Locale.ROOT);
            return new StatementFacts(kind.equals("CALL") ? "CALL" : "EXECUTE", ActionClass.FUNCTION,
                    routine.isEmpty() ? List.of() : List.of(routine + "()"), false, true, false);
        }
        if (statement instanceof SetStatement set) {
            return new StatementFacts(SessionSettings.action(set), ActionClass.MISC, List.of(), false, true, false);
        }
        if (statement instanceof ResetStatement) {
            return new StatementFacts("RESET", ActionClass.MISC, List.of(), false, true, false);
        }
        if (statement instanceof UseStatement) {
            return new StatementFacts("USE", ActionClass.MISC, List.of(), false, true, false);
        }
        if (statement instanceof ShowTablesStatement || statement instanceof ShowStatement
                || statement instanceof ShowIndexStatement || statement instanceof ShowColumnsStatement) {
            return new StatementFacts("SHOW", ActionClass.MISC, List.of(), true, true, false);
        }
        if (statement instanceof DescribeStatement describe) {
            return withObjects("DESCRIBE", ActionClass.MISC, listOf(describe.getTable()), true);
        }
        if (statement instanceof Analyze analyze) {
            return withObjects("ANALYZE", ActionClass.MISC, listOf(analyze.getTable()), false);
        }
        if (statement instanceof Commit) {
            return transaction("COMMIT");
        }
        if (statement instanceof RollbackStatement) {
            return transaction("ROLLBACK");
        }
        if (statement instanceof SavepointStatement) {
            return transaction("SAVEPOINT");
        }
        return null;
    }

    /** Adds the tables the token scan found and the tree walk did not (see {@link LexicalTables}). */
    private static StatementFacts withLexicalTables(StatementFacts facts, List<SqlLexer.SqlToken> tokens) {
        Set<String> objects = new LinkedHashSet<>(facts.objects());
        for (String table : LexicalTables.find(tokens)) {
            if (objects.stream().noneMatch(o -> o.equalsIgnoreCase(table))) {
                objects.add(table);
            }
        }
        if (objects.size() == facts.objects().size()) {
            return facts;
        }
        return new StatementFacts(facts.action(), facts.actionClass(), List.copyOf(objects), facts.provenReadOnly(),
                facts.parsed(), facts.literalSensitive());
    }

    /** Statements inside a BEGIN ... END block, or null when the statement is not a block. */
    static List<Statement> blockStatements(Statement statement) {
        if (statement instanceof Block block && block.getStatements() != null) {
            return block.getStatements();
        }
        return null;
    }

    private static StatementFacts select(Select select, String action, LexicalReadGuard.Verdict lexical) {
        ObjectCollector collector = new ObjectCollector();
        collector.collect(select);
        Set<String> objects = new LinkedHashSet<>(collector.objects());
        boolean callsUnknown = false;
        for (String function : collector.functions()) {
            if (!ReadOnlyFunctions.isPure(function) || function.contains(".")) {
                callsUnknown = true;
                objects.add(function + "()");
            }
        }
        for (String call : lexical.unknownCalls()) {
            callsUnknown = true;
            objects.add(call + "()");
        }
        ActionClass actionClass;
        String refined = action;
        if (collector.selectInto() || "INTO".equals(lexical.refinement())) {
            actionClass = ActionClass.DDL;
            refined = action + " INTO";
        } else if (collector.writingCte()) {
            actionClass = ActionClass.WRITE;
            refined = action + " WITH WRITE";
        } else if (callsUnknown || collector.sequenceAccess()) {
            actionClass = ActionClass.FUNCTION;
        } else {
            actionClass = ActionClass.READ;
        }
        if (refined.equals(action) && (collector.lockingRead() || lexical.refinement() != null)) {
            refined = action + " " + (lexical.refinement() != null ? lexical.refinement() : "FOR UPDATE");
        }
        boolean readOnly = lexical.readOnly() && !collector.lockingRead() && !collector.selectInto()
                && !collector.writingCte() && !collector.sequenceAccess() && !callsUnknown;
        return new StatementFacts(refined, actionClass, List.copyOf(objects), readOnly, true,
                collector.literalSensitive());
    }

    private static StatementFacts write(Statement statement) {
        String action = statement instanceof Insert ? "INSERT"
                : statement instanceof Update ? "UPDATE"
                : statement instanceof Delete ? "DELETE"
                : statement instanceof Merge ? "MERGE"
                : "UPSERT";
        ObjectCollector collector = new ObjectCollector();
        collector.collect(statement);
        Set<String> objects = new LinkedHashSet<>(collector.objects());
        for (String function : collector.functions()) {
            if (!ReadOnlyFunctions.isPure(function) || function.contains(".")) {
                objects.add(function + "()");
            }
        }
        return new StatementFacts(action, ActionClass.WRITE, List.copyOf(objects), false, true,
                collector.literalSensitive());
    }

    private static StatementFacts ddl(String action, Statement statement, List<Table> fallback) {
        Set<String> objects = new LinkedHashSet<>();
        try {
            ObjectCollector collector = new ObjectCollector();
            collector.collect(statement);
            objects.addAll(collector.objects());
        } catch (RuntimeException unsupported) {
            // The finder does not walk every DDL form; the statement's own target is enough here,
            // because DDL is refused for every grant level whatever it touches.
        }
        for (Table table : fallback) {
            if (table != null) {
                objects.add(ObjectNames.of(table));
            }
        }
        return new StatementFacts(action, ActionClass.DDL, List.copyOf(objects), false, true, false);
    }

    private static StatementFacts withObjects(String action, ActionClass actionClass, List<Table> tables,
            boolean readOnly) {
        Set<String> objects = new LinkedHashSet<>();
        for (Table table : tables) {
            if (table != null) {
                String name = ObjectNames.of(table);
                if (!name.isEmpty()) {
                    objects.add(name);
                }
            }
        }
        return new StatementFacts(action, actionClass, List.copyOf(objects), readOnly, true, false);
    }

    private static StatementFacts transaction(String action) {
        return new StatementFacts(action, ActionClass.MISC, List.of(), true, true, false);
    }

    private static List<Table> listOf(Table table) {
        return table == null ? List.of() : List.of(table);
    }
}
