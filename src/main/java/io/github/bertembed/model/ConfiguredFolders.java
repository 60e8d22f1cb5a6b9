package io.github.bertembed.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The folders a user names, in the order they win: the caller's, then an environment variable, then a property. */
final class ConfiguredFolders {
    private ConfiguredFolders() {
    }

    /** {@code caller} (may be null), then {@code $environmentVariable}, then {@code -DsystemProperty}, where set. */
    static List<Path> of(Path caller, String environmentVariable, String systemProperty) {
        List<Path> out = new ArrayList<>(3);
        if (caller != null) {
            out.add(caller);
        }
        String env = System.getenv(environmentVariable);
        if (env != null && !env.isBlank()) {
            out.add(Path.of(env));
        }
        String prop = System.getProperty(systemProperty);
        if (prop != null && !prop.isBlank()) {
            out.add(Path.of(prop));
        }
        return out;
    }
}
