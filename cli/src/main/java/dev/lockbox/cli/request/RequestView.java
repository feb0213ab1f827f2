package dev.lockbox.cli.request;

import dev.lockbox.api.request.AccessRequest;
import dev.lockbox.api.request.RequestHistoryEntry;
import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/** How the CLI prints access requests: one in detail with its history, or a list as a table. */
final class RequestView {
    private RequestView() {}

    static void printDetail(PrintStream out, AccessRequest r) {
        out.println("Request " + r.id() + "  " + r.status() + " (" + r.status().consoleLabel() + ")");
        row(out, "environment", r.environment());
        row(out, "ticket", r.supportTicketId());
        row(out, "requester", r.requester());
        row(out, "access", r.accessLevel() + " for " + r.accessPeriod() + ", " + scope(r.scope()));
        row(out, "justification", r.justification());
        row(out, "created", time(r.createdAt()));
        if (r.status() == dev.lockbox.api.request.RequestStatus.PENDING) {
            row(out, "expires", time(r.requestExpiresAt()) + " unless an approver decides before");
        }
        if (r.decidedBy() != null) row(out, "decided", "by " + r.decidedBy() + " at " + time(r.decidedAt()));
        if (r.accessStartsAt() != null) row(out, "access window", time(r.accessStartsAt()) + " → " + time(r.accessExpiresAt()));
        List<RequestHistoryEntry> history = r.history() == null ? List.of() : r.history();
        if (!history.isEmpty()) {
            out.println("History:");
            for (RequestHistoryEntry h : history) {
                String change = h.fromStatus() == null ? "→ " + h.toStatus()
                        : h.fromStatus() == h.toStatus() || h.toStatus() == null ? "" : h.fromStatus() + " → " + h.toStatus();
                out.printf("  %-20s  %-10s  %-14s %s%s%n", time(h.at()), h.actor(), h.action(), change,
                        h.comment() == null || h.comment().isBlank() ? "" : "  \"" + h.comment() + "\"");
            }
        }
    }

    static void printTable(PrintStream out, List<AccessRequest> requests) {
        if (requests.isEmpty()) {
            out.println("No requests in this period.");
            return;
        }
        String format = "%-36s  %-9s  %-16s  %-14s  %-12s  %-10s  %s%n";
        out.printf(format, "ID", "STATUS", "ENVIRONMENT", "TICKET", "REQUESTER", "LEVEL", "CREATED");
        for (AccessRequest r : requests) {
            out.printf(format, r.id(), r.status(), r.environment(), r.supportTicketId(), r.requester(), r.accessLevel(),
                    time(r.createdAt()));
        }
    }

    static String scope(List<String> scope) {
        return scope == null || scope.isEmpty() ? "whole database" : "tables " + String.join(", ", scope);
    }

    static String time(Instant t) {
        return t == null ? "-" : t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static void row(PrintStream out, String label, String value) {
        out.printf("  %-14s %s%n", label, value);
    }
}
