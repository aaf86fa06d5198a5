package dev.nonroot.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class EventRecorderTest {
  private static final String EVENTS = "/api/v1/namespaces/shop/events";
  private static final String MESSAGE = "patch failed (500): etcd is sad";

  KubernetesClient client;
  KubernetesMockServer server;

  private final RequestLog requests = new RequestLog();
  // Not on a whole second: the recorder must truncate.
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T20:30:00.750Z"));
  private final List<KubernetesClient> clients = new ArrayList<>();
  private final Deployment web =
      new DeploymentBuilder()
          .withNewMetadata()
          .withName("web")
          .withNamespace("shop")
          .withUid("0b5c-web")
          .endMetadata()
          .build();

  @BeforeEach
  void noEventsYet() {
    assertThat(events()).isEmpty();
  }

  @AfterEach
  void closeClients() {
    clients.forEach(KubernetesClient::close);
  }

  /** A client like the operator's, that counts every request it sends and does not retry 5xx. */
  private KubernetesClient countingClient() {
    KubernetesClient c =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder(client.getConfiguration())
                    .withRequestRetryBackoffLimit(0)
                    .build())
            .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("count", requests))
            .build();
    clients.add(c);
    return c;
  }

  private EventRecorder recorder() {
    return new EventRecorder(countingClient(), "nonroot-operator-0", clock, code -> {});
  }

  private List<Event> events() {
    return client.v1().events().inNamespace("shop").list().getItems();
  }

  private Event only() {
    List<Event> all = events();
    assertThat(all).hasSize(1);
    return all.get(0);
  }

  @Test
  void theFirstOccurrenceCreatesOneEventWithADeterministicName() {
    recorder().warning(web, EventRecorder.FAILED, MESSAGE);

    Event e = only();
    String name =
        EventRecorder.eventName(
            "Deployment", "shop", "web", "0b5c-web", "Warning", EventRecorder.FAILED, MESSAGE);
    assertThat(e.getMetadata().getName()).isEqualTo(name).matches("web\\.[0-9a-f]{16}");
    assertThat(e.getMetadata().getNamespace()).isEqualTo("shop");
    // Same inputs, same name; any other input, another name.
    assertThat(
            EventRecorder.eventName(
                "Deployment", "shop", "web", "0b5c-web", "Warning", EventRecorder.FAILED, MESSAGE))
        .isEqualTo(name);
    assertThat(
            EventRecorder.eventName(
                "Deployment",
                "shop",
                "web",
                "0b5c-web",
                "Warning",
                EventRecorder.FAILED,
                MESSAGE + "!"))
        .isNotEqualTo(name);
    assertThat(
            EventRecorder.eventName(
                "Deployment", "shop", "web", "0b5c-web", "Normal", EventRecorder.FAILED, MESSAGE))
        .isNotEqualTo(name);
    assertThat(
            EventRecorder.eventName(
                "Deployment",
                "shop",
                "web",
                "another-uid",
                "Warning",
                EventRecorder.FAILED,
                MESSAGE))
        .isNotEqualTo(name);

    assertThat(e.getType()).isEqualTo("Warning");
    assertThat(e.getReason()).isEqualTo(EventRecorder.FAILED);
    assertThat(e.getMessage()).isEqualTo(MESSAGE);
    assertThat(e.getCount()).isEqualTo(1);
    assertThat(e.getFirstTimestamp()).isEqualTo("2026-12-01T20:30:00Z");
    assertThat(e.getLastTimestamp()).isEqualTo("2026-12-01T20:30:00Z");
    assertThat(e.getSource().getComponent()).isEqualTo("nonroot-operator");
    assertThat(e.getReportingComponent()).isEqualTo("nonroot.dev/operator");
    assertThat(e.getReportingInstance()).isEqualTo("nonroot-operator-0");
    assertThat(e.getInvolvedObject().getApiVersion()).isEqualTo("apps/v1");
    assertThat(e.getInvolvedObject().getKind()).isEqualTo("Deployment");
    assertThat(e.getInvolvedObject().getNamespace()).isEqualTo("shop");
    assertThat(e.getInvolvedObject().getName()).isEqualTo("web");
    assertThat(e.getInvolvedObject().getUid()).isEqualTo("0b5c-web");
  }

  @Test
  void repeatsAreCountedOnOneEventWithoutReadingIt() {
    EventRecorder recorder = recorder();
    recorder.warning(web, EventRecorder.FAILED, MESSAGE);
    for (int i = 0; i < 4; i++) {
      clock.advance(Duration.ofMinutes(1));
      recorder.warning(web, EventRecorder.FAILED, MESSAGE);
    }

    Event e = only();
    assertThat(e.getCount()).isEqualTo(5);
    assertThat(e.getFirstTimestamp()).isEqualTo("2026-12-01T20:30:00Z");
    assertThat(e.getLastTimestamp()).isEqualTo("2026-12-01T20:34:00Z");
    assertThat(requests.count(r -> r.method().equals("GET"))).isZero();
    assertThat(requests.count(r -> r.method().equals("POST"))).isEqualTo(1);
    assertThat(requests.count(r -> r.method().equals("PATCH"))).isEqualTo(4);

    // Another message on the same object is another event.
    recorder.normal(web, EventRecorder.REMEDIATED, "policy baseline changed 1 field(s)");
    assertThat(events()).hasSize(2);
  }

  @Test
  void afterARestartTheExistingEventIsPatchedNotDuplicated() {
    recorder().warning(web, EventRecorder.FAILED, MESSAGE);
    clock.advance(Duration.ofMinutes(1));

    // A new process: empty memory; its create answers 409 and it patches instead.
    recorder().warning(web, EventRecorder.FAILED, MESSAGE);

    Event e = only();
    assertThat(e.getCount()).isEqualTo(2);
    assertThat(e.getFirstTimestamp()).isEqualTo("2026-12-01T20:30:00Z");
    assertThat(e.getLastTimestamp()).isEqualTo("2026-12-01T20:31:00Z");
    assertThat(requests.count(r -> r.method().equals("GET"))).isZero();
  }

  @Test
  void anExpiredEventIsCreatedAgain() {
    EventRecorder recorder = recorder();
    recorder.warning(web, EventRecorder.FAILED, MESSAGE);
    recorder.warning(web, EventRecorder.FAILED, MESSAGE);
    assertThat(only().getCount()).isEqualTo(2);

    // The API server drops events after about an hour.
    client.v1().events().inNamespace("shop").delete();
    assertThat(events()).isEmpty();
    clock.advance(Duration.ofHours(2));

    recorder.warning(web, EventRecorder.FAILED, MESSAGE);
    Event e = only();
    assertThat(e.getCount()).isEqualTo(1);
    assertThat(e.getFirstTimestamp()).isEqualTo("2026-12-01T22:30:00Z");
    assertThat(e.getLastTimestamp()).isEqualTo("2026-12-01T22:30:00Z");

    // And it counts on from there.
    recorder.warning(web, EventRecorder.FAILED, MESSAGE);
    assertThat(only().getCount()).isEqualTo(2);
  }

  @Test
  void aFailingApiServerThrowsNothing() {
    server
        .expect()
        .post()
        .withPath(EVENTS)
        .andReturn(500, new StatusBuilder().withCode(500).withMessage("etcd is sad").build())
        .always();
    EventRecorder recorder = recorder();

    assertThatCode(() -> recorder.warning(web, EventRecorder.FAILED, MESSAGE))
        .doesNotThrowAnyException();
    assertThat(requests.count(r -> r.method().equals("POST") && r.path().equals(EVENTS)))
        .isEqualTo(1);
    assertThat(events()).isEmpty();
  }

  @Test
  void aFailedPatchIsRetriedOnTheNextRepeat() {
    EventRecorder recorder = recorder();
    recorder.warning(web, EventRecorder.FAILED, MESSAGE);
    String name = only().getMetadata().getName();
    server
        .expect()
        .patch()
        .withPath(EVENTS + "/" + name)
        .andReturn(500, new StatusBuilder().withCode(500).withMessage("etcd is sad").build())
        .once();

    assertThatCode(() -> recorder.warning(web, EventRecorder.FAILED, MESSAGE))
        .doesNotThrowAnyException();
    assertThat(only().getCount()).isEqualTo(1);
    recorder.warning(web, EventRecorder.FAILED, MESSAGE);
    assertThat(only().getCount()).isEqualTo(2);
  }

  @Test
  void aClosedClientOrABrokenObjectThrowsNothing() {
    KubernetesClient closed = countingClient();
    EventRecorder recorder = new EventRecorder(closed, "nonroot-operator-0", clock, code -> {});
    closed.close();

    assertThatCode(() -> recorder.warning(web, EventRecorder.FAILED, MESSAGE))
        .doesNotThrowAnyException();
    assertThatCode(
            () -> recorder().normal(new Deployment(), EventRecorder.REMEDIATED, "no metadata"))
        .doesNotThrowAnyException();
    assertThat(events()).isEmpty();
  }

  @Test
  void longMessagesAreCutAndLongNamesStayValidSubdomains() {
    String longName = "a".repeat(250) + "-";
    Deployment big =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName(longName)
            .withNamespace("shop")
            .endMetadata()
            .build();
    recorder().normal(big, EventRecorder.REMEDIATED, "x".repeat(5000));

    Event e = only();
    assertThat(e.getMessage()).hasSize(1024).endsWith("...");
    assertThat(e.getMetadata().getName())
        .hasSizeLessThanOrEqualTo(253)
        .matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
        .matches("a{236}\\.[0-9a-f]{16}");
    assertThat(e.getInvolvedObject().getName()).isEqualTo(longName);

    // Characters a subdomain cannot hold, and a name made only of them.
    assertThat(EventRecorder.eventName("Node", null, "Node_1.-x-", null, "Normal", "R", "m"))
        .matches("node-1\\.x\\.[0-9a-f]{16}");
    assertThat(EventRecorder.eventName("Node", null, "__", null, "Normal", "R", "m"))
        .matches("[0-9a-f]{16}");
  }

  @Test
  void concurrentRepeatsAreAllCounted() throws Exception {
    EventRecorder recorder = recorder();
    int threads = 8;
    int each = 10;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < each; i++)
                    recorder.warning(web, EventRecorder.FAILED, MESSAGE);
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : done) f.get(60, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }

    assertThat(only().getCount()).isEqualTo(threads * each);
    assertThat(requests.count(r -> r.method().equals("POST"))).isEqualTo(1);
    assertThat(requests.count(r -> r.method().equals("GET"))).isZero();
  }

  /**
   * The operator's recorder sends on a thread of its own, so a patch does not wait for its Event; a
   * full line makes the caller send (nothing dropped), repeats still count exactly, and close sends
   * what is left.
   */
  @Test
  void aQueuedRecorderLosesNothingAndCountsExactlyWhenItsLineIsFull() {
    EventRecorder recorder =
        EventRecorder.queued(countingClient(), "nonroot-operator-0", clock, code -> {}, 2);
    for (int i = 0; i < 20; i++) {
      recorder.warning(web, EventRecorder.FAILED, MESSAGE);
      Deployment other =
          new DeploymentBuilder()
              .withNewMetadata()
              .withName("web-" + i)
              .withNamespace("shop")
              .withUid("uid-" + i)
              .endMetadata()
              .build();
      recorder.normal(other, EventRecorder.REMEDIATED, "fixed");
    }
    recorder.close(Duration.ofSeconds(30));

    assertThat(events()).hasSize(21);
    assertThat(events())
        .filteredOn(e -> e.getInvolvedObject().getName().equals("web"))
        .singleElement()
        .satisfies(e -> assertThat(e.getCount()).isEqualTo(20));
    // Closed: later events are refused quietly, never thrown at a reconcile.
    assertThatCode(() -> recorder.warning(web, EventRecorder.FAILED, MESSAGE))
        .doesNotThrowAnyException();
  }
}
