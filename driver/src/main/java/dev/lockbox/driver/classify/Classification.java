package dev.lockbox.driver.classify;

import dev.lockbox.api.audit.ActionClass;
import java.util.List;

/**
 * What one SQL text does, as far as the parser can prove (DESIGN.md, "Driver").
 *
 * @param action        the statement's action (SELECT, INSERT, UPDATE, DELETE, MERGE, CREATE, ALTER,
 *                      DROP, TRUNCATE, GRANT, CALL, SET, ...); for a multi-statement text the actions
 *                      joined by {@code ";"}; {@code "UNKNOWN"} when the text could not be parsed
 * @param actionClass   READ, WRITE, DDL, ROLE, FUNCTION or MISC; for several statements the most
 *                      powerful one; MISC when unparsed
 * @param objects       the tables/views/sequences/routines touched, as written (unquoted), without
 *                      duplicates, in first-seen order
 * @param provenReadOnly true only when every statement is proven to read and nothing else
 * @param parsed        false when the parser could not read the text (or it exceeded the size cap)
 * @param statementCount how many statements the text holds (1 for a single statement)
 */
public record Classification(
        String action,
        ActionClass actionClass,
        List<String> objects,
        boolean provenReadOnly,
        boolean parsed,
        int statementCount) {}
