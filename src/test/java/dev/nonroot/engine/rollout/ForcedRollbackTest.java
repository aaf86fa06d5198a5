package dev.nonroot.engine.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nonroot.engine.rollout.RolloutAssessment.Progress;
import dev.nonroot.engine.rollout.RolloutState.Phase;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ForcedRollbackTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode workload(String kind) throws Exception {
    return JSON.readTree(
        "{\"kind\": \"" + kind + "\", \"metadata\": {\"namespace\": \"db\", \"name\": \"pg\"}}");
  }

  private static Progress crashing(String pod) {
    return new Progress(Phase.Failed, "CrashLoopBackOff", "pod crashes", Map.of(), pod);
  }

  @Test
  void aStatefulSetNamesThePodToDeleteAndHow() throws Exception {
    assertThat(ForcedRollback.advice(workload("StatefulSet"), crashing("pg-0")))
        .hasValueSatisfying(
            a -> assertThat(a).contains("forced rollback", "kubectl delete pod -n db pg-0"));
  }

  @Test
  void withoutAFailingPodItSaysWhichPodsToDelete() throws Exception {
    Progress timedOut = new Progress(Phase.Failed, "Timeout", "not ready in 5m", Map.of(), null);
    assertThat(ForcedRollback.advice(workload("StatefulSet"), timedOut))
        .hasValueSatisfying(a -> assertThat(a).contains("the pods of the failed revision"));
  }

  @Test
  void deploymentsAndDaemonSetsReplaceTheirBrokenPodsThemselves() throws Exception {
    assertThat(ForcedRollback.advice(workload("Deployment"), crashing("pg-1"))).isEmpty();
    assertThat(ForcedRollback.advice(workload("DaemonSet"), crashing("pg-1"))).isEmpty();
  }
}
