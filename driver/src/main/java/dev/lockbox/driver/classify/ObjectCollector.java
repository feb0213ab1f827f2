package dev.lockbox.driver.classify;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import net.sf.jsqlparser.expression.AnalyticExpression;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.NextValExpression;
import net.sf.jsqlparser.expression.StringValue;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.ParenthesedStatement;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.delete.Delete;
import net.sf.jsqlparser.statement.delete.ParenthesedDelete;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.insert.ParenthesedInsert;
import net.sf.jsqlparser.statement.merge.Merge;
import net.sf.jsqlparser.statement.select.LateralSubSelect;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.SetOperationList;
import net.sf.jsqlparser.statement.select.TableFunction;
import net.sf.jsqlparser.statement.select.Values;
import net.sf.jsqlparser.statement.select.WithItem;
import net.sf.jsqlparser.statement.update.ParenthesedUpdate;
import net.sf.jsqlparser.statement.update.Update;
import net.sf.jsqlparser.util.TablesNamesFinder;

/**
 * Walks one parsed statement and records the tables, sequences and functions it touches, plus the
 * things that stop a SELECT from being read-only. A new instance per statement: the JSqlParser
 * finder it extends keeps state and is not thread-safe.
 *
 * <p>Common table expressions are scoped properly instead of the finder's name list: in
 * {@code WITH t AS (SELECT * FROM t) SELECT * FROM t} the inner {@code t} is the real table
 * {@code t} and is reported, while the outer one is the CTE. A reference is taken for a CTE only
 * when it is unqualified and spelled the same way (case-insensitively when both are unquoted) as
 * a CTE visible at that point; anything else is reported as a table.
 */
final class ObjectCollector extends TablesNamesFinder<Void> {
    private final Set<String> objects = new LinkedHashSet<>();
    private final Set<String> functions = new LinkedHashSet<>();
    private final Deque<List<String>> cteScopes = new ArrayDeque<>();
    private boolean lockingRead;
    private boolean selectInto;
    private boolean writingCte;
    private boolean sequenceAccess;
    private boolean literalSensitive;

    ObjectCollector() {
        init(false);
    }

    void collect(Statement statement) {
        statement.accept(this, null);
    }

    /** Tables, views and sequences in first-seen order, as written and unquoted. */
    Set<String> objects() {
        return objects;
    }

    /** Function and procedure names called, upper-cased, possibly schema-qualified. */
    Set<String> functions() {
        return functions;
    }

    boolean lockingRead() {
        return lockingRead;
    }

    boolean selectInto() {
        return selectInto;
    }

    boolean writingCte() {
        return writingCte;
    }

    boolean sequenceAccess() {
        return sequenceAccess;
    }

    /** True when a literal's value named an object (nextval('seq')): no shape caching then. */
    boolean literalSensitive() {
        return literalSensitive;
    }

    void addObject(Table table) {
        if (table != null) {
            String name = ObjectNames.of(table);
            if (!name.isEmpty()) {
                objects.add(name);
            }
        }
    }

    void addFunction(String name) {
        if (name != null && !name.isEmpty()) {
            functions.add(ObjectNames.unquote(name).toUpperCase(java.util.Locale.ROOT));
        }
    }

    @Override
    public <S> Void visit(Table table, S context) {
        if (table == null || isCteReference(table)) {
            return null;
        }
        addObject(table);
        return null;
    }

    private boolean isCteReference(Table table) {
        List<String> parts = table.getNameParts();
        if (parts == null || parts.size() != 1) {
            return false;
        }
        String name = parts.get(0);
        for (List<String> scope : cteScopes) {
            for (String cte : scope) {
                if (ObjectNames.sameIdentifier(cte, name)) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public <S> Void visit(Function function, S context) {
        String name = function.getName();
        addFunction(name);
        if (name != null && ReadOnlyFunctions.isSequenceFunction(ObjectNames.unquote(name))) {
            sequenceAccess = true;
            if (function.getParameters() != null && !function.getParameters().isEmpty()) {
                Expression first = function.getParameters().get(0);
                if (first instanceof StringValue value) {
                    literalSensitive = true;
                    objects.add(ObjectNames.qualifiedUnquoted(List.of(value.getValue().split("\\."))));
                }
            }
        }
        return super.visit(function, context);
    }

    @Override
    public <S> Void visit(AnalyticExpression analytic, S context) {
        addFunction(analytic.getName());
        return super.visit(analytic, context);
    }

    @Override
    public <S> Void visit(TableFunction tableFunction, S context) {
        if (tableFunction.getFunction() != null) {
            visit(tableFunction.getFunction(), context);
        }
        return null;
    }

    @Override
    public <S> Void visit(NextValExpression nextVal, S context) {
        sequenceAccess = true;
        addFunction("NEXT VALUE FOR");
        if (nextVal.getNameList() != null && !nextVal.getNameList().isEmpty()) {
            objects.add(ObjectNames.qualifiedUnquoted(nextVal.getNameList()));
        }
        return null;
    }

    @Override
    public <S> Void visit(net.sf.jsqlparser.statement.select.Select select, S context) {
        // The finder's own entry point visits the WITH list unscoped before the body; dispatch to
        // the scoped visits below instead.
        select.accept((net.sf.jsqlparser.statement.select.SelectVisitor<Void>) this, context);
        return null;
    }

    @Override
    public <S> Void visit(PlainSelect select, S context) {
        if (select.getForMode() != null || select.getForUpdateTable() != null) {
            lockingRead = true;
        }
        if ((select.getIntoTables() != null && !select.getIntoTables().isEmpty())
                || select.getIntoTempTable() != null) {
            selectInto = true;
            if (select.getIntoTables() != null) {
                select.getIntoTables().forEach(this::addObject);
            }
            addObject(select.getIntoTempTable());
        }
        withCtes(select.getWithItemsList(), select::setWithItemsList, () -> super.visit(select, context));
        return null;
    }

    @Override
    public <S> Void visit(SetOperationList list, S context) {
        withCtes(list.getWithItemsList(), list::setWithItemsList, () -> super.visit(list, context));
        return null;
    }

    @Override
    public <S> Void visit(ParenthesedSelect select, S context) {
        withCtes(select.getWithItemsList(), select::setWithItemsList, () -> {
            if (select.getSelect() != null) {
                select.getSelect().accept((net.sf.jsqlparser.statement.select.SelectVisitor<Void>) this, context);
            }
        });
        return null;
    }

    @Override
    public <S> Void visit(LateralSubSelect select, S context) {
        withCtes(select.getWithItemsList(), select::setWithItemsList, () -> {
            if (select.getSelect() != null) {
                select.getSelect().accept((net.sf.jsqlparser.statement.select.SelectVisitor<Void>) this, context);
            }
        });
        return null;
    }

    @Override
    public <S> Void visit(Values values, S context) {
        withCtes(values.getWithItemsList(), values::setWithItemsList, () -> super.visit(values, context));
        return null;
    }

    @Override
    public <S> Void visit(Insert insert, S context) {
        withCtes(insert.getWithItemsList(), insert::setWithItemsList, () -> super.visit(insert, context));
        return null;
    }

    @Override
    public <S> Void visit(Update update, S context) {
        withCtes(update.getWithItemsList(), update::setWithItemsList, () -> super.visit(update, context));
        return null;
    }

    @Override
    public <S> Void visit(Delete delete, S context) {
        withCtes(delete.getWithItemsList(), delete::setWithItemsList, () -> super.visit(delete, context));
        return null;
    }

    @Override
    public <S> Void visit(Merge merge, S context) {
        withCtes(merge.getWithItemsList(), merge::setWithItemsList, () -> super.visit(merge, context));
        return null;
    }

    @Override
    public <S> Void visit(WithItem<?> withItem, S context) {
        // Only reached for WITH lists this class did not take over; scope them like the others.
        visitCteBody(withItem, context);
        return null;
    }

    /**
     * Visits the CTE bodies in order, each seeing the CTEs before it (and itself when recursive),
     * then runs the statement body with all of them visible, with the WITH list detached so the
     * finder does not visit (and mis-scope) it a second time.
     */
    private void withCtes(List<WithItem<?>> items, Consumer<List<WithItem<?>>> setter, Runnable body) {
        if (items == null || items.isEmpty()) {
            body.run();
            return;
        }
        List<String> scope = new ArrayList<>();
        cteScopes.push(scope);
        try {
            for (WithItem<?> item : items) {
                String name = item.getAliasName();
                if (item.isRecursive() && name != null) {
                    scope.add(name);
                }
                visitCteBody(item, null);
                if (!item.isRecursive() && name != null) {
                    scope.add(name);
                }
            }
            setter.accept(null);
            try {
                body.run();
            } finally {
                setter.accept(items);
            }
        } finally {
            cteScopes.pop();
        }
    }

    private <S> void visitCteBody(WithItem<?> item, S context) {
        ParenthesedStatement body = item.getParenthesedStatement();
        if (body instanceof ParenthesedSelect select) {
            visit(select, context);
        } else if (body instanceof ParenthesedInsert insert) {
            writingCte = true;
            visit(insert.getInsert(), context);
        } else if (body instanceof ParenthesedUpdate update) {
            writingCte = true;
            visit(update.getUpdate(), context);
        } else if (body instanceof ParenthesedDelete delete) {
            writingCte = true;
            visit(delete.getDelete(), context);
        } else {
            throw new UnsupportedOperationException("unknown common table expression body " + body);
        }
    }
}
