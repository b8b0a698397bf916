package dev.realign.report;

import java.nio.file.Path;

/**
 * Builds the COCO-500 gap report (all three variants, pairs as validation, spectra) and writes
 * {@code report.json} and {@code report.html}. From the repository root:
 *
 * <pre>
 * mvn -q -B -pl spark-jobs -am test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * cd spark-jobs
 * java -Xmx3g --add-opens=java.base/java.nio=ALL-UNNAMED \
 *     -Dorg.bytedeco.javacpp.cachedir=target/javacpp-cache \
 *     -cp "target/test-classes:target/classes:$(cat target/cp.txt)" \
 *     dev.realign.report.CocoReportDemo target/coco-report
 * bench/render-report.sh target/coco-report/report.html target/coco-report/report.png
 * </pre>
 *
 * {@code ReportCocoTest} writes the same two files to {@code spark-jobs/target/coco-report}.
 */
public final class CocoReportDemo {
  private CocoReportDemo() {}

  public static void main(String[] args) {
    Path out = Path.of(args.length > 0 ? args[0] : "target/coco-report");
    GapReport r = ComputeGapReport.compute(CocoData.load().inputs());
    ReportJson.write(r, out.resolve("report.json"));
    ReportHtml.write(r, out.resolve("report.html"));
    System.out.println(
        "wrote "
            + out.resolve("report.html").toAbsolutePath()
            + " and report.json"
            + " (timings ms: "
            + r.timingsMillis()
            + ")");
  }
}
