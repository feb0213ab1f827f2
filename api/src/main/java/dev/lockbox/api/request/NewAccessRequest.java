package dev.lockbox.api.request;

import java.time.Duration;
import java.util.List;

/** Body of {@code POST /api/requests}: what an engineer asks for. {@code scope} is optional (null = whole database). */
public record NewAccessRequest(
        String environment,
        String supportTicketId,
        String justification,
        AccessLevel accessLevel,
        Duration accessPeriod,
        List<String> scope) {}
