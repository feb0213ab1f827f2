package dev.lockbox.server.store;

import org.h2.engine.SysProperties;

/**
 * JVM-wide settings of the embedded H2 engine, which only system properties can give and only
 * before H2 first loads (so {@link Store#open} applies them before it opens the pool).
 *
 * <p>{@code h2.objectCache=false}: H2 by default passes every value it reads through a shared cache
 * of recent values (a hash of every string, compared on a hit) to save memory on repeated values.
 * Reading the audit log back (the exporter reads each wide row once) spent about a quarter of its
 * time there; without it a row costs one string per column and no hashing. It changes nothing that
 * is stored or how it is written. A property set by whoever launched the JVM wins.
 */
final class H2Engine {
    static final String OBJECT_CACHE = "h2.objectCache";

    private H2Engine() {}

    /** Applies the settings when {@code jdbcUrl} is H2; returns whether H2's value cache is off (true for other stores). */
    static boolean configure(String jdbcUrl) {
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:h2:")) return true;
        if (System.getProperty(OBJECT_CACHE) == null) System.setProperty(OBJECT_CACHE, "false");
        return !SysProperties.OBJECT_CACHE;
    }
}
