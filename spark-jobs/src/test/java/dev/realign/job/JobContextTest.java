package dev.realign.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realign.config.ConfigKeys;
import dev.realign.config.PipelineConfig;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI's Spark: a SparkContext alone (the jobs run on RDDs), with the SQL session made over it
 * only for a command that reads through Spark SQL.
 */
class JobContextTest {
  @TempDir static Path dir;
  static SparkContext sc;
  static PipelineConfig config;

  @BeforeAll
  static void start() {
    config =
        PipelineConfig.builder()
            .set(ConfigKeys.SPARK_MASTER, "local[2]")
            .set(ConfigKeys.OUTPUT_DIR, dir.resolve("out").toString())
            .build();
    sc = JobContext.startSpark(config);
  }

  @AfterAll
  static void stop() {
    sc.stop();
  }

  @Test
  void startsAContextWithTheLocalSettings() {
    assertThat(sc.master()).isEqualTo("local[2]");
    assertThat(sc.appName()).isEqualTo(config.get(ConfigKeys.SPARK_APP_NAME));
    assertThat(sc.conf().get("spark.ui.enabled")).isEqualTo("false");
    assertThat(sc.conf().get("spark.driver.bindAddress")).isEqualTo("127.0.0.1");
    assertThat(sc.conf().get("spark.task.maxDirectResultSize")).isEqualTo("64m");
  }

  @Test
  void theSessionIsMadeOverTheRunningContextOnFirstUse() {
    JobContext ctx = new JobContext(sc, config, InputPlans.NONE);
    assertThat(ctx.jsc.parallelize(List.of(1, 2, 3), 2).count()).isEqualTo(3);
    assertThat(SparkSession.getDefaultSession().isDefined())
        .as("no session before a command asks for one")
        .isFalse();

    SparkSession spark = ctx.spark();

    assertThat(spark.sparkContext()).isSameAs(sc);
    assertThat(ctx.spark()).as("made once").isSameAs(spark);
    assertThat(spark.range(5).count()).isEqualTo(5);
  }
}
