package io.github.bertembed.cli;

import io.github.bertembed.model.DownloadProgress;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A model download's progress as a bar on stderr, one per file, on a terminal only (else silent). */
final class DownloadBar implements DownloadProgress {
    private ProgressBar bar;

    /** A bar when stderr is a terminal, else nothing. */
    static DownloadProgress onTerminal() {
        return System.console() == null ? DownloadProgress.NONE : new DownloadBar();
    }

    @Override
    public synchronized void started(String file, long bytes) {
        finished();
        String name = file.length() > 24 ? "…" + file.substring(file.length() - 23) : file;
        bar = new ProgressBarBuilder().setTaskName(name).setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err,
                        EmbedCommand.terminalWidth(System.getenv("COLUMNS")) - 1))
                .setUpdateIntervalMillis(250).setUnit(" MB", 1 << 20).showSpeed(new java.text.DecimalFormat("0.0"))
                .setInitialMax(bytes).build();
    }

    @Override
    public synchronized void advanced(long bytes) {
        if (bar != null) {
            bar.stepBy(bytes);
        }
    }

    @Override
    public synchronized void finished() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
