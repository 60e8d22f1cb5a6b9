package io.github.bertembed.search.map;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A map as a PNG (Java2D, headless): the points coloured by group with a legend, each point's label when there are
 * few of them, the analogy's arrows, and the axes with their share of the variance.
 *
 * <pre>{@code
 * MapPicture.write(map, Path.of("map.png"));
 * }</pre>
 */
public final class MapPicture {
    /** Points up to which every point is labelled. */
    static final int LABELLED = 60;
    static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
        new Color(0xd62728), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
        new Color(0xbcbd22), new Color(0x17becf)};
    private static final int WIDTH = 1200;
    private static final int HEIGHT = 900;
    private static final int MARGIN = 70;

    private MapPicture() {
    }

    public static void write(EmbeddingMap map, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            draw(map, g);
        } finally {
            g.dispose();
        }
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("no PNG writer in this Java runtime");
        }
    }

    private static void draw(EmbeddingMap map, Graphics2D g) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        List<EmbeddingMap.Point> points = map.points();
        double minX = Double.MAX_VALUE;
        double maxX = -Double.MAX_VALUE;
        double minY = Double.MAX_VALUE;
        double maxY = -Double.MAX_VALUE;
        for (EmbeddingMap.Point p : points) {
            minX = Math.min(minX, p.x());
            maxX = Math.max(maxX, p.x());
            minY = Math.min(minY, p.y());
            maxY = Math.max(maxY, p.y());
        }
        double spanX = Math.max(1e-12, maxX - minX);
        double spanY = Math.max(1e-12, maxY - minY);
        // one scale for both axes: distances on the picture are distances in the plane
        double scale = Math.min((WIDTH - 2.0 * MARGIN - 120) / spanX, (HEIGHT - 2.0 * MARGIN) / spanY);
        double ox = MARGIN + (WIDTH - 2.0 * MARGIN - 120 - spanX * scale) / 2 - minX * scale;
        double oy = HEIGHT - MARGIN - (HEIGHT - 2.0 * MARGIN - spanY * scale) / 2 + minY * scale;
        double[] sx = new double[points.size()];
        double[] sy = new double[points.size()];
        for (int i = 0; i < points.size(); i++) {
            sx[i] = ox + points.get(i).x() * scale;
            sy[i] = oy - points.get(i).y() * scale;
        }
        // axes
        g.setColor(new Color(0xDDDDDD));
        g.setStroke(new BasicStroke(1f));
        g.draw(new Line2D.Double(ox, MARGIN / 2.0, ox, HEIGHT - MARGIN / 2.0));
        g.draw(new Line2D.Double(MARGIN / 2.0, oy, WIDTH - 140, oy));
        g.setColor(Color.DARK_GRAY);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        g.drawString(String.format("PC1 (%.1f%% of the variance)", 100 * map.explained()[0]), WIDTH / 2 - 120,
                HEIGHT - 20);
        g.rotate(-Math.PI / 2);
        g.drawString(String.format("PC2 (%.1f%% of the variance)", 100 * map.explained()[1]), -HEIGHT / 2 - 100, 22);
        g.rotate(Math.PI / 2);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        g.drawString(map.title(), MARGIN, 34);

        List<String> groups = map.groups();
        boolean few = points.size() <= LABELLED;
        double r = few ? 6 : points.size() > 5000 ? 1.6 : 2.8;
        // arrows under the points
        g.setStroke(new BasicStroke(2f));
        for (int[] a : map.arrows()) {
            g.setColor(new Color(0x555555));
            arrow(g, sx[a[0]], sy[a[0]], sx[a[1]], sy[a[1]], r + 2);
        }
        for (int i = 0; i < points.size(); i++) {
            g.setColor(colour(groups, points.get(i).group(), few ? 255 : 170));
            g.fill(new Ellipse2D.Double(sx[i] - r, sy[i] - r, 2 * r, 2 * r));
        }
        if (few) {
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
            g.setColor(Color.BLACK);
            for (int i = 0; i < points.size(); i++) {
                EmbeddingMap.Point p = points.get(i);
                String label = p.label() != null ? p.label() : shortened(p.text(), 28);
                g.drawString(label, (float) (sx[i] + r + 4), (float) (sy[i] - r - 2));
            }
        }
        legend(g, groups);
    }

    private static void legend(Graphics2D g, List<String> groups) {
        if (groups.isEmpty()) {
            return;
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        FontMetrics fm = g.getFontMetrics();
        int y = MARGIN;
        for (int i = 0; i < Math.min(groups.size(), PALETTE.length + 1); i++) {
            String name = i < PALETTE.length ? shortened(groups.get(i), 14) : "others";
            g.setColor(i < PALETTE.length ? PALETTE[i] : Color.LIGHT_GRAY);
            g.fill(new Ellipse2D.Double(WIDTH - 150, y - 9, 10, 10));
            g.setColor(Color.DARK_GRAY);
            g.drawString(name, WIDTH - 134, y);
            y += fm.getHeight() + 4;
        }
    }

    static Color colour(List<String> groups, String group, int alpha) {
        int i = group == null ? 0 : groups.indexOf(group);
        Color c = i < PALETTE.length ? PALETTE[Math.max(0, i)] : Color.LIGHT_GRAY;
        return new Color(c.getRed(), c.getGreen(), c.getBlue(), alpha);
    }

    private static void arrow(Graphics2D g, double x0, double y0, double x1, double y1, double inset) {
        double dx = x1 - x0;
        double dy = y1 - y0;
        double len = Math.hypot(dx, dy);
        if (len < 2 * inset + 1) {
            return;
        }
        double ux = dx / len;
        double uy = dy / len;
        double ex = x1 - ux * inset;
        double ey = y1 - uy * inset;
        g.draw(new Line2D.Double(x0 + ux * inset, y0 + uy * inset, ex, ey));
        Path2D head = new Path2D.Double();
        head.moveTo(ex, ey);
        head.lineTo(ex - ux * 12 - uy * 5, ey - uy * 12 + ux * 5);
        head.lineTo(ex - ux * 12 + uy * 5, ey - uy * 12 - ux * 5);
        head.closePath();
        g.fill(head);
    }

    static String shortened(String s, int max) {
        String one = s.replaceAll("\\s+", " ").strip();
        return one.length() <= max ? one : one.substring(0, max - 1) + "…";
    }
}
