package dev.nonroot.operator;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nonroot.engine.model.ObjectRef;
import dev.nonroot.engine.record.ChangeRecord;
import dev.nonroot.engine.status.Verdict;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** When a status pass may fold: only once every cached workload is decided under the policies. */
class VerdictIndexTest {
  private final List<Deployment> cache = new CopyOnWriteArrayList<>();
  private final VerdictIndex index = new VerdictIndex();

  VerdictIndexTest() {
    index.cover(
        new VerdictIndex.Source() {
          @Override
          public Stream<? extends HasMetadata> cached() {
            return cache.stream();
          }

          @Override
          public ObjectRef ref(HasMetadata cached) {
            return VerdictIndexTest.ref(cached.getMetadata().getName());
          }
        });
  }

  private static ObjectRef ref(String name) {
    return new ObjectRef("Deployment", "ns", name);
  }

  private Deployment cached(String name) {
    Deployment d =
        new DeploymentBuilder()
            .withNewMetadata()
            .withNamespace("ns")
            .withName(name)
            .endMetadata()
            .build();
    cache.add(d);
    return d;
  }

  private void decide(String name, String policies) {
    index.put(
        ref(name),
        new VerdictIndex.State(
            Verdict.unmatched(ref(name), ChangeRecord.empty()), policies, false));
  }

  @Test
  void notCurrentBeforeTheCachesHaveSynced() {
    cached("a");
    decide("a", "F");
    assertFalse(index.current("F"));
    index.open();
    assertTrue(index.current("F"));
  }

  @Test
  void aStartIsCurrentOnlyOnceEveryCachedWorkloadIsDecided() {
    index.open();
    cached("a");
    cached("b");
    decide("a", "F");
    assertFalse(index.current("F"), "b has no verdict yet: a status now would show half");
    decide("b", "F");
    assertTrue(index.current("F"));
  }

  @Test
  void aSpecChangeWaitsForEveryVerdictUnderTheNewSpec() {
    index.open();
    cached("a");
    cached("b");
    decide("a", "F");
    decide("b", "F");
    assertTrue(index.current("F"));
    decide("a", "G");
    assertFalse(index.current("G"), "b is still decided under the old spec");
    assertFalse(index.current("F"), "a is decided under the new spec: F is no longer current");
    decide("b", "G");
    assertTrue(index.current("G"));
    decide("a", "F");
    assertFalse(index.current("F"), "back to the old spec: b must be decided again first");
  }

  @Test
  void onceCurrentAWorkloadArrivingLaterIsFoldedWhenDecided() {
    index.open();
    cached("a");
    decide("a", "F");
    assertTrue(index.current("F"));
    // Not a start nor a spec change: the pass folds what is decided, the new one follows.
    cached("b");
    assertTrue(index.current("F"));
    decide("b", "F");
    assertTrue(index.current("F"));
  }

  @Test
  void aNewlyCoveredCacheIsLookedAtInFull() {
    index.open();
    cached("a");
    decide("a", "F");
    assertTrue(index.current("F"));
    index.cover(
        new VerdictIndex.Source() {
          @Override
          public Stream<? extends HasMetadata> cached() {
            return Stream.of(
                new DeploymentBuilder()
                    .withNewMetadata()
                    .withNamespace("ns")
                    .withName("other")
                    .endMetadata()
                    .build());
          }

          @Override
          public ObjectRef ref(HasMetadata cached) {
            return new ObjectRef("StatefulSet", "ns", cached.getMetadata().getName());
          }
        });
    assertFalse(index.current("F"));
  }
}
