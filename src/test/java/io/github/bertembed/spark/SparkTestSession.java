package io.github.bertembed.spark;

import org.apache.spark.sql.SparkSession;

/** The tests' Spark session: local[2] (two task threads, four attempts per task), no UI, quiet logs. */
final class SparkTestSession {
    private SparkTestSession() {
    }

    static SparkSession start() {
        SparkSession spark = SparkSession.builder()
                .master("local[2,4]")
                .appName("bert-embed-tests")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        return spark;
    }
}
