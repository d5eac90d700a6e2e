// Prints the KRaft quorum a cluster reports, as one JSON line: {"leaderId":1,"voters":[1,2,3],
// "observers":[]}. kafkajs has no DescribeQuorum and the Kafka jars setup caches hold no
// kafka-metadata-quorum tool, but they hold the Java admin client: run with Java's
// source-file mode, `java -cp 'LIBS/*' DescribeQuorum.java HOST:PORT,...`.
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.QuorumInfo;

public class DescribeQuorum {
  private static String ids(java.util.List<QuorumInfo.ReplicaState> replicas) {
    return replicas.stream()
        .map(QuorumInfo.ReplicaState::replicaId)
        .sorted()
        .map(String::valueOf)
        .collect(Collectors.joining(","));
  }

  public static void main(String[] args) throws Exception {
    Map<String, Object> config = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    try (Admin admin = Admin.create(config)) {
      QuorumInfo quorum = admin.describeMetadataQuorum().quorumInfo().get();
      System.out.printf(
          "{\"leaderId\":%d,\"voters\":[%s],\"observers\":[%s]}%n",
          quorum.leaderId(), ids(quorum.voters()), ids(quorum.observers()));
    }
  }
}
