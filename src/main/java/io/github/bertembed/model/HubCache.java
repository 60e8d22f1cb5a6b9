package io.github.bertembed.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Models by Hugging Face id ({@code BAAI/bge-small-en-v1.5}, optionally {@code @revision}) from the local Hugging
 * Face cache, in the layout {@code huggingface_hub} writes, so that Java and Python share one cache:
 * {@code models--BAAI--bge-small-en-v1.5/refs/main} holds a commit, {@code snapshots/<commit>/} the repo's files.
 * The cache is {@code $HF_HUB_CACHE}, else {@code $HF_HOME/hub}, else {@code $XDG_CACHE_HOME/huggingface/hub}, else
 * {@code ~/.cache/huggingface/hub}; the system property {@value #PROPERTY} names another.
 *
 * <pre>{@code
 * Path snapshot = HubCache.locate("BAAI/bge-small-en-v1.5").folder();   // after `huggingface-cli download ...`
 * }</pre>
 */
public final class HubCache {
    /** A system property naming the hub cache folder, before the environment's. */
    public static final String PROPERTY = "bertembed.hf.hub.cache";
    /** An id as the Hub spells them, with an optional revision: a branch, a tag or a commit. */
    private static final Pattern ID = Pattern.compile(
            "([A-Za-z0-9][A-Za-z0-9_.-]*)/([A-Za-z0-9][A-Za-z0-9_.-]*)(?:@([A-Za-z0-9][A-Za-z0-9_.-]*))?");
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

    private HubCache() {
    }

    /** Whether a name has the shape of a Hub model id (and no ".." that could leave the cache). */
    public static boolean isId(String name) {
        return ID.matcher(name).matches() && !name.contains("..");
    }

    /** The cache folder the environment names. */
    public static Path root() {
        return root(System.getProperty(PROPERTY), System.getenv());
    }

    static Path root(String property, Map<String, String> env) {
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        if (env.get("HF_HUB_CACHE") != null) {
            return Path.of(env.get("HF_HUB_CACHE"));
        }
        if (env.get("HF_HOME") != null) {
            return Path.of(env.get("HF_HOME"), "hub");
        }
        if (env.get("XDG_CACHE_HOME") != null) {
            return Path.of(env.get("XDG_CACHE_HOME"), "huggingface", "hub");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "huggingface", "hub");
    }

    /**
     * The snapshot folder of an id in the cache.
     *
     * @throws IllegalArgumentException naming the cache folder and how to fill it, when the id is not there
     */
    public static ModelLocation locate(String id) {
        return locate(id, root());
    }

    /**
     * A parsed model id.
     *
     * @param org      the owner
     * @param name     the repo name
     * @param revision a branch, tag or commit ("main" when none was given)
     * @param pinned   whether the id named its revision
     */
    record Id(String org, String name, String revision, boolean pinned) {
        String repo() {
            return org + "/" + name;
        }

        /** The repo's folder in the cache, as huggingface_hub names it. */
        String folderName() {
            return "models--" + org + "--" + name;
        }
    }

    /**
     * Parses an id, refusing anything that could leave the cache.
     *
     * @throws IllegalArgumentException for a name that is not ORG/NAME[@REVISION] of safe characters
     */
    static Id parse(String id) {
        Matcher m = ID.matcher(id);
        if (!m.matches() || id.contains("..")) {
            throw new IllegalArgumentException("not a Hugging Face model id: '" + id + "' (expected ORG/NAME or"
                    + " ORG/NAME@REVISION, letters, digits, '-', '_' and '.')");
        }
        return new Id(m.group(1), m.group(2), m.group(3) == null ? "main" : m.group(3), m.group(3) != null);
    }

    static boolean isCommit(String revision) {
        return COMMIT.matcher(revision).matches();
    }

    /** The commit a revision names in the cache (a commit names itself), or null when the cache has no such ref. */
    static String cachedCommit(Path repoDir, String revision) {
        if (isCommit(revision)) {
            return Files.isDirectory(repoDir.resolve("snapshots").resolve(revision)) ? revision : null;
        }
        Path ref = repoDir.resolve("refs").resolve(revision);
        try {
            String commit = Files.isRegularFile(ref) ? Files.readString(ref, StandardCharsets.US_ASCII).trim() : null;
            return commit != null && isCommit(commit) ? commit : null;
        } catch (IOException e) {
            return null;
        }
    }

    static ModelLocation locate(String id, Path root) {
        parse(id); // refuses what is not an id before the matcher's groups are read
        Matcher m = ID.matcher(id);
        m.matches();
        String repo = m.group(1) + "/" + m.group(2);
        String revision = m.group(3) == null ? "main" : m.group(3);
        Path folder = root.resolve("models--" + m.group(1) + "--" + m.group(2));
        String commit = revision;
        if (!COMMIT.matcher(revision).matches()) {
            Path ref = folder.resolve("refs").resolve(revision);
            if (!Files.isRegularFile(ref)) {
                throw new IllegalArgumentException("Hugging Face model " + repo + (m.group(3) == null ? "" : " at "
                        + revision) + " is not in the cache " + root + " (no " + root.relativize(ref) + "): download it"
                        + " with `huggingface-cli download " + repo + (m.group(3) == null ? "" : " --revision "
                        + revision) + "`, or set HF_HUB_CACHE / HF_HOME to the cache that has it");
            }
            try {
                commit = Files.readString(ref, StandardCharsets.US_ASCII).trim();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + ref + ": " + e.getMessage(), e);
            }
            if (!COMMIT.matcher(commit).matches()) {
                throw new IllegalArgumentException(ref + " does not hold a commit hash: the cache is damaged");
            }
        }
        Path snapshot = folder.resolve("snapshots").resolve(commit);
        if (!Files.isDirectory(snapshot)) {
            throw new IllegalArgumentException("Hugging Face model " + repo + ": the cache " + root + " has no snapshot "
                    + commit + " (download it again with `huggingface-cli download " + repo + "`)");
        }
        return new ModelLocation(repo, snapshot.toAbsolutePath().normalize(),
                "Hugging Face cache " + snapshot + " (" + repo + "@" + revision + ")", null, false);
    }
}
