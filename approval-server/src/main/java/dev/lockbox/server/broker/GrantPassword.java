package dev.lockbox.server.broker;

import java.security.SecureRandom;

/**
 * Random passwords for grant users: 32 characters of [A-Za-z0-9] from SecureRandom (about 190 bits).
 * The alphabet needs no quoting in any SQL dialect or JDBC URL, which matters because CREATE USER
 * takes no bind parameters.
 */
final class GrantPassword {
    private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    static final int LENGTH = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private GrantPassword() {}

    static String random() {
        char[] out = new char[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            out[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(out);
    }

    /** Checked again right before a password is spliced into DDL. */
    static boolean isSafe(String password) {
        return password.length() == LENGTH && password.chars().allMatch(c -> c < 128 && Character.isLetterOrDigit(c));
    }
}
