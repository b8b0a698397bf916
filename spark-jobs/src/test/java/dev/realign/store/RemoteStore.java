package dev.realign.store;

import java.util.Map;

/** A storage server a suite runs realign against. */
interface RemoteStore extends AutoCloseable {
  /** A URI folder on the store under which a test writes (no trailing slash). */
  String root();

  /** The Hadoop settings a client needs to reach it (set on the Spark session's Hadoop conf). */
  Map<String, String> hadoopConf();

  @Override
  void close();
}
