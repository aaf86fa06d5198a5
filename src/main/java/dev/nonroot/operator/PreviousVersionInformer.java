package dev.nonroot.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;

/**
 * An informer event source whose secondary-to-primary mapper can see the version an update
 * replaces. JOSDK hands the mapper the new version only; a Service whose selector changed must also
 * wake the workloads it selected before, which may now be alone behind it (or no longer share it).
 */
final class PreviousVersionInformer<T extends HasMetadata, P extends HasMetadata>
    extends InformerEventSource<T, P> {
  private final ThreadLocal<T> previous;

  /**
   * {@code previous} is the holder the configuration's mapper reads: set while an update is handed
   * on, on the informer's own thread.
   */
  PreviousVersionInformer(
      InformerEventSourceConfiguration<T> configuration,
      EventSourceContext<P> context,
      ThreadLocal<T> previous) {
    super(configuration, context);
    this.previous = previous;
  }

  @Override
  public void onUpdate(T oldObject, T newObject) {
    previous.set(oldObject);
    try {
      super.onUpdate(oldObject, newObject);
    } finally {
      previous.remove();
    }
  }
}
