package dev.realign.store;

import java.nio.file.Path;

/** {@link StoreSuite} on HDFS (MiniDFSCluster on 127.0.0.1). */
class HdfsStoreTest extends StoreSuite {
  @Override
  RemoteStore startStore(Path dir) {
    return MiniHdfs.start(dir);
  }
}
