package dev.lockbox.driver.classify;

import dev.lockbox.api.audit.ActionClass;
import java.util.List;

/**
 * What the classifier learned about one statement of a text, before the statements are combined
 * into a {@link Classification}.
 *
 * @param literalSensitive a literal's value named an object (nextval('seq')), so texts that
 *                         differ only in literals may not share this result
 */
record StatementFacts(
        String action,
        ActionClass actionClass,
        List<String> objects,
        boolean provenReadOnly,
        boolean parsed,
        boolean literalSensitive) {

    /** Order of power used to pick the class of a multi-statement text. */
    static int power(ActionClass actionClass) {
        return switch (actionClass) {
            case READ -> 0;
            case MISC -> 1;
            case FUNCTION -> 2;
            case WRITE -> 3;
            case DDL -> 4;
            case ROLE -> 5;
        };
    }
}
