package dev.lockbox.cli.demo;

import java.io.PrintStream;

/**
 * Prints the demo as numbered steps: a title, indented details, and a last line starting with
 * ✔ (the step did what its title says) or ✘ (it did not, and why). The story stops at the first ✘.
 */
final class StoryLog {
    private final PrintStream out;
    private final int total;
    private int number;
    private int passed;
    private boolean failed;

    StoryLog(PrintStream out, int total) {
        this.out = out;
        this.total = total;
    }

    /** A step's work: prints details through the log and returns the ✔ line, or throws {@link StepFailed}. */
    @FunctionalInterface
    interface Step {
        String run() throws Exception;
    }

    /** Runs one step unless an earlier one failed; returns whether it passed. */
    boolean step(String title, Step step) {
        if (failed) return false;
        number++;
        out.println();
        out.printf("%d/%d  %s%n", number, total, title);
        try {
            String result = step.run();
            out.println("      ✔ " + result);
            passed++;
            return true;
        } catch (StepFailed e) {
            out.println("      ✘ " + e.getMessage());
        } catch (Exception e) {
            out.println("      ✘ " + (e.getMessage() == null ? e.toString() : e.getClass().getSimpleName() + ": " + e.getMessage()));
        }
        failed = true;
        out.println();
        out.println("The story stops here: step " + number + " did not do what it says.");
        return false;
    }

    /** An indented detail line of the current step. */
    void detail(String line) {
        out.println("      " + line);
    }

    boolean allPassed() {
        return !failed && passed == total;
    }

    int passed() {
        return passed;
    }

    int total() {
        return total;
    }

    PrintStream out() {
        return out;
    }

    /** The step's own check did not hold. */
    static final class StepFailed extends Exception {
        StepFailed(String message) {
            super(message);
        }
    }

    static void check(boolean condition, String whatWentWrong) throws StepFailed {
        if (!condition) throw new StepFailed(whatWentWrong);
    }
}
