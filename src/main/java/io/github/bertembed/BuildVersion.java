package io.github.bertembed;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * This build's version, as the pom states it (Maven writes it into {@code build.properties} when it builds the jar):
 * the one version string that the CLI, the server's {@code /info} and its API document report.
 *
 * <pre>{@code
 * String v = BuildVersion.current(); // e.g. "0.1.0-SNAPSHOT"
 * }</pre>
 */
public final class BuildVersion {
    private static final String VERSION = read();

    private BuildVersion() {
    }

    public static String current() {
        return VERSION;
    }

    private static String read() {
        try (InputStream in = BuildVersion.class.getResourceAsStream("build.properties")) {
            if (in == null) {
                throw new IllegalStateException("build.properties is missing from the bert-embed jar");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
