package io.github.bertembed.search;

/** An index folder whose files do not agree with its manifest (truncated, missing, another dimension). */
public final class IndexDamagedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public IndexDamagedException(String message) {
        super(message);
    }
}
