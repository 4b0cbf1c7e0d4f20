package dev.sparseinfer.cli.report;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

/** Saves a chart into a report as {@code NAME.png} and {@code NAME.svg}. */
public final class ChartFiles {

    static {
        // Charts are drawn off-screen; without this a machine with no display fails on the first AWT call.
        System.setProperty("java.awt.headless", "true");
    }

    private ChartFiles() {}

    public static void save(ReportDirectory dir, String name, Chart<?, ?> chart) throws IOException {
        dir.write(name + ".png", BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
        ByteArrayOutputStream svg = new ByteArrayOutputStream();
        VectorGraphicsEncoder.saveVectorGraphic(chart, svg, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        dir.write(name + ".svg", svg.toByteArray());
    }
}
