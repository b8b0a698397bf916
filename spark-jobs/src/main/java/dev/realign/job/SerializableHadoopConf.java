package dev.realign.job;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * Ships the driver's Hadoop configuration (credentials, file system settings) to executors. Holds
 * the entries as a plain map so that both Java serialisation and Kryo (which ignores {@code
 * writeObject}) carry them.
 */
public final class SerializableHadoopConf implements Serializable {
  private static final long serialVersionUID = 2L;
  private final HashMap<String, String> entries = new HashMap<>();
  private transient Configuration conf;

  public SerializableHadoopConf(Configuration conf) {
    for (Map.Entry<String, String> e : conf) {
      entries.put(e.getKey(), e.getValue());
    }
    this.conf = conf;
  }

  public Configuration get() {
    if (conf == null) {
      Configuration c = new Configuration(false);
      entries.forEach(c::set);
      conf = c;
    }
    return conf;
  }
}
