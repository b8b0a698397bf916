package dev.realign.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/**
 * A real HDFS in the test JVM: Hadoop's MiniDFSCluster (one NameNode, one DataNode) with every
 * address bound to 127.0.0.1 and its blocks under a test folder.
 */
final class MiniHdfs implements RemoteStore {
  private final MiniDFSCluster cluster;

  private MiniHdfs(MiniDFSCluster cluster) {
    this.cluster = cluster;
  }

  static MiniHdfs start(Path base) {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.toString());
    for (String key :
        new String[] {
          "dfs.datanode.address",
          "dfs.datanode.http.address",
          "dfs.datanode.ipc.address",
          "dfs.namenode.http-address"
        }) {
      conf.set(key, "127.0.0.1:0");
    }
    conf.set("hadoop.security.authentication", "simple");
    try {
      MiniDFSCluster c =
          new MiniDFSCluster.Builder(conf).numDataNodes(1).nameNodePort(0).format(true).build();
      c.waitActive();
      return new MiniHdfs(c);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start MiniDFSCluster under " + base, e);
    }
  }

  @Override
  public String root() {
    return "hdfs://127.0.0.1:" + cluster.getNameNodePort() + "/realign";
  }

  @Override
  public Map<String, String> hadoopConf() {
    // Nothing: an hdfs:// URI names its NameNode (the default file system stays local, so the
    // tests' local paths stay local).
    return Map.of();
  }

  @Override
  public void close() {
    cluster.shutdown();
  }
}
