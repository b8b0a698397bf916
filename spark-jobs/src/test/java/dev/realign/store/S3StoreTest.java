package dev.realign.store;

import java.nio.file.Path;

/** {@link StoreSuite} on S3 (s3proxy on 127.0.0.1, through S3A). */
class S3StoreTest extends StoreSuite {
  @Override
  RemoteStore startStore(Path dir) {
    return S3Server.start(dir);
  }
}
