package dev.realign.job;

import org.apache.spark.sql.SparkSession;

/** The local SparkSession tests share within a class: local[2], UI off, bound to 127.0.0.1. */
public final class SparkTestSession {
  private SparkTestSession() {}

  public static SparkSession start() {
    return SparkSession.builder()
        .master("local[2]")
        .appName("realign-test")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "4")
        // Kryo for data and results: catches classes that only Java serialisation handles.
        .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
        .getOrCreate();
  }
}
