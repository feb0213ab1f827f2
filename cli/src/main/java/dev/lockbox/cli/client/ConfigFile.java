package dev.lockbox.cli.client;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * The CLI's small config file ({@code ~/.lockbox/config}, or {@code $LOCKBOX_CONFIG}): the server
 * address and the API token, as Java properties. It holds a credential, so it is created with mode
 * 600 (its folder 700) and replaced atomically: there is never a moment where the token sits in a
 * file others can read.
 */
public final class ConfigFile {
    static final String SERVER_KEY = "server";
    static final String TOKEN_KEY = "token";
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");

    private final Path path;

    public ConfigFile(Path path) {
        this.path = path;
    }

    public Path path() {
        return path;
    }

    /** What the file says; empty values when it does not exist. */
    public Saved read() {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (NoSuchFileException e) {
            return new Saved(Optional.empty(), Optional.empty());
        } catch (IOException | IllegalArgumentException e) {
            throw new CliException(ExitCode.CONFIG, "cannot read the Lockbox config file " + path + ": " + e.getMessage());
        }
        return new Saved(nonBlank(p.getProperty(SERVER_KEY)), nonBlank(p.getProperty(TOKEN_KEY)));
    }

    /** Replaces the file with these values, readable by its owner only. */
    public void write(String server, String token) {
        Properties p = new Properties();
        p.setProperty(SERVER_KEY, server);
        p.setProperty(TOKEN_KEY, token);
        StringWriter text = new StringWriter();
        try {
            p.store(text, "Lockbox CLI: written by ./lockbox login. Holds an API token: keep it private (mode 600).");
            Path dir = path.toAbsolutePath().getParent();
            boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
            if (!Files.isDirectory(dir)) {
                if (posix) Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_DIR));
                else Files.createDirectories(dir);
            }
            FileAttribute<?>[] attrs = posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_FILE)} : new FileAttribute<?>[0];
            // Created with mode 600 from the start (not chmod-ed after writing), then moved over the old file.
            Path tmp = Files.createTempFile(dir, ".config-", ".tmp", attrs);
            try {
                Files.writeString(tmp, text.toString(), StandardCharsets.UTF_8);
                try {
                    Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            if (posix) Files.setPosixFilePermissions(path, OWNER_FILE);
        } catch (FileAlreadyExistsException e) {
            throw new CliException(ExitCode.CONFIG, "cannot write the Lockbox config file " + path + ": " + e.getFile() + " is in the way");
        } catch (IOException e) {
            throw new CliException(ExitCode.CONFIG, "cannot write the Lockbox config file " + path + ": " + e.getMessage());
        } catch (UncheckedIOException e) {
            throw new CliException(ExitCode.CONFIG, "cannot write the Lockbox config file " + path + ": " + e.getCause().getMessage());
        }
    }

    private static Optional<String> nonBlank(String s) {
        return s == null || s.isBlank() ? Optional.empty() : Optional.of(s.strip());
    }

    /** The values found in the file. */
    public record Saved(Optional<String> server, Optional<String> token) {
        @Override
        public String toString() {
            return "Saved[server=" + server + ", token=" + token.map(ApiTokens::masked).orElse("none") + "]";
        }
    }
}
