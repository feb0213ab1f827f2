package dev.lockbox.server.audit;

import dev.lockbox.api.ApiError;
import dev.lockbox.api.audit.AuditAck;
import dev.lockbox.api.audit.AuditBatch;
import dev.lockbox.server.http.ApiException;
import dev.lockbox.server.http.ApiRoutes;
import dev.lockbox.server.http.JsonBody;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the audit ingest answers one batch body of an authenticated engineer, whichever way it came
 * in ({@link AuditPostHandler} in front of Javalin, {@link AuditChannelServer}): 200 with the
 * acknowledgement, or the status and {@link ApiError} of a refusal (the strict parse's 400s and
 * {@link AuditLog#ingest}'s), or a logged 500 for anything else, as {@code ApiRoutes} maps them
 * behind Javalin.
 */
record IngestAnswer(int status, AuditAck ack, ApiError error) {
    private static final Logger LOG = LoggerFactory.getLogger(IngestAnswer.class);

    /** {@code body} may refuse too (a body that cannot be read). */
    static IngestAnswer of(AuditLog auditLog, JsonBody json, String caller, Supplier<byte[]> body, String method) {
        try {
            return new IngestAnswer(200, auditLog.ingest(caller, json.parse(body.get(), AuditBatch.class)), null);
        } catch (ApiException e) {
            return new IngestAnswer(e.status(), null, e.error());
        } catch (RuntimeException e) {
            LOG.error("{} {} failed", method, AuditPostHandler.PATH, e);
            return new IngestAnswer(500, null, ApiRoutes.INTERNAL_ERROR);
        }
    }
}
