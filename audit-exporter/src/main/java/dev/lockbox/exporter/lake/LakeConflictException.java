package dev.lockbox.exporter.lake;

import java.io.IOException;

/**
 * The lake holds something this writer did not expect: a file already committed under the name it
 * is about to commit, or events that do not continue the committed chain. Nothing is overwritten.
 */
public class LakeConflictException extends IOException {
    public LakeConflictException(String message) {
        super(message);
    }
}
