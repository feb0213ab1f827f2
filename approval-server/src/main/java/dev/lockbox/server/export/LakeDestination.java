package dev.lockbox.server.export;

import dev.lockbox.server.http.ApiException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * Checks the lake URI an admin configures and writes it in one form: an absolute {@code file:} URI
 * for local lakes (an absolute path is accepted for one), else a Hadoop FileSystem URI whose
 * connector is on the server's classpath. The default is {@code <data-dir>/lake}.
 */
public final class LakeDestination {
    private static final int MAX_LENGTH = 2000;
    /** Hadoop file systems that can hold a lake; anything else (http:, jar:, ftp: …) is refused. */
    private static final Set<String> SCHEMES = Set.of("file", "hdfs", "viewfs", "webhdfs", "swebhdfs", "s3a", "gs",
            "abfs", "abfss", "wasb", "wasbs", "oss", "cosn", "obs");

    private final String defaultDestination;

    public LakeDestination(Path dataDir) {
        this.defaultDestination = fileUri(dataDir.toAbsolutePath().normalize().resolve("lake"));
    }

    public String defaultDestination() {
        return defaultDestination;
    }

    /** The destination to store for {@code value} (null: the default); a 400 naming {@code field} otherwise. */
    public String check(String field, String value) {
        if (value == null) return defaultDestination;
        if (value.isBlank()) throw ApiException.invalid(field, "must not be empty");
        if (value.length() > MAX_LENGTH) throw ApiException.invalid(field, "longer than " + MAX_LENGTH + " characters");
        if (value.startsWith("/")) {
            try {
                return fileUri(Paths.get(value).normalize());
            } catch (RuntimeException e) {
                throw ApiException.invalid(field, "not a usable path: " + e.getMessage());
            }
        }
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw ApiException.invalid(field, "not a URI: " + e.getMessage());
        }
        if (uri.getScheme() == null) {
            throw ApiException.invalid(field, "'" + value + "' has no scheme: give file:///absolute/path, hdfs://, s3a://, "
                    + "abfs:// … or an absolute path");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!SCHEMES.contains(scheme)) {
            throw ApiException.invalid(field, "scheme '" + uri.getScheme() + "' is not a lake file system; use one of "
                    + new java.util.TreeSet<>(SCHEMES));
        }
        if (uri.getRawUserInfo() != null) {
            // The URI is shown to auditors by GET /api/export: credentials belong in the connector's settings.
            throw ApiException.invalid(field, "must not carry credentials (user:password@); configure them for the connector");
        }
        if (scheme.equals("file")) {
            try {
                return fileUri(Paths.get(uri).normalize());
            } catch (RuntimeException e) {
                throw ApiException.invalid(field, "a file: URI needs an absolute path and no host, e.g. file:///var/lib/lockbox/lake");
            }
        }
        if (uri.getAuthority() == null) {
            throw ApiException.invalid(field, "a " + scheme + ": URI needs a host or bucket, e.g. " + scheme + "://name/lake");
        }
        try {
            FileSystem.getFileSystemClass(scheme, new Configuration(false));
        } catch (IOException | RuntimeException e) {
            throw ApiException.invalid(field, "no Hadoop FileSystem for scheme '" + scheme + "' on the server's classpath: "
                    + "add its connector (hadoop-aws for s3a, hadoop-azure for abfs, gcs-connector for gs)");
        }
        return uri.normalize().toString();
    }

    /** {@code Path.toUri} ends in '/' only if the directory exists already: one form whether it does or not. */
    private static String fileUri(Path path) {
        String uri = path.toUri().toString();
        return uri.endsWith("/") && path.getNameCount() > 0 ? uri.substring(0, uri.length() - 1) : uri;
    }
}
