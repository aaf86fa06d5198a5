package dev.nonroot.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nonroot.engine.model.ObjectRef;
import org.junit.jupiter.api.Test;

/** Each version the operator writes is decided once: from the response or from its event. */
class OwnWritesTest {
  private static final ObjectRef WEB = new ObjectRef("Deployment", "shop", "web");
  private final OwnWrites writes = new OwnWrites();

  @Test
  void aResponseBeforeItsEventIsDecidedNowAndTheEventDropped() {
    writes.sending(WEB);
    assertThat(writes.decideNow(WEB, "12")).isTrue();
    assertThat(writes.heard(WEB, "12")).isTrue();
    // Only that one event: the next change is heard as any other.
    assertThat(writes.heard(WEB, "12")).isFalse();
    assertThat(writes.heard(WEB, "13")).isFalse();
  }

  @Test
  void anEventBeforeItsResponseIsDecidedFromTheEvent() {
    writes.sending(WEB);
    assertThat(writes.heard(WEB, "12")).isFalse();
    assertThat(writes.decideNow(WEB, "12")).isFalse();
    assertThat(writes.heard(WEB, "13")).isFalse();
  }

  @Test
  void anotherWritersVersionIsNeverDropped() {
    // Someone else's write lands first (the patch then meets a conflict and is forgotten).
    writes.sending(WEB);
    assertThat(writes.heard(WEB, "12")).isFalse();
    writes.forget(WEB);
    assertThat(writes.heard(WEB, "12")).isFalse();
    // Another writer's version heard while the patch is in flight: the reconcile it is on its way
    // to decides, not the response.
    writes.sending(WEB);
    assertThat(writes.heard(WEB, "11")).isFalse();
    assertThat(writes.decideNow(WEB, "13")).isFalse();
    assertThat(writes.heard(WEB, "13")).isFalse();
    // A version decided from its response, then another writer's before its event: both heard.
    writes.sending(WEB);
    assertThat(writes.decideNow(WEB, "14")).isTrue();
    assertThat(writes.heard(WEB, "15")).isFalse();
    assertThat(writes.heard(WEB, "14")).isFalse();
  }

  @Test
  void nothingIsDroppedForAWorkloadNotBeingWritten() {
    assertThat(writes.heard(WEB, "1")).isFalse();
    assertThat(writes.heard(new ObjectRef("Deployment", "shop", "api"), "1")).isFalse();
  }
}
