package dev.nonroot.operator;

import dev.nonroot.api.NonRootPolicy;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.PrimaryToSecondaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.TransformingItemStore;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The NonRootPolicy, Service, Namespace and NetworkPolicy informers of one operator instance, one
 * of each, shared by all its controllers: with one set per controller, every Service was held and
 * every watch event parsed once per workload kind (and once more for the status).
 *
 * <p>JOSDK ties an event source to one controller: the first controller to prepare its event
 * sources registers these (JOSDK starts, stops and health-checks them with it). Their mappers wake
 * no primary themselves: they hand each event to every controller's {@link Listener}, which wakes
 * the objects of its own that the event concerns. A controller may run before the host's informers
 * have synced; it asks {@link #running} first.
 */
final class SharedInformers {
  static final String POLICIES = "policies";
  static final String SERVICES = "services";
  static final String NAMESPACES = "namespaces";
  static final String NETWORK_POLICIES = "networkpolicies";

  /** Decisions read these caches directly, not through JOSDK's secondary resources. */
  private static final PrimaryToSecondaryMapper<HasMetadata> NO_SECONDARY_INDEX = p -> Set.of();

  /**
   * What one controller does with the shared informers' events. {@code before} is the version an
   * update replaced; null for an addition or a deletion.
   */
  interface Listener {
    default void policy(NonRootPolicy now, NonRootPolicy before) {}

    default void service(Service now, Service before) {}

    default void namespace(Namespace now) {}

    default void networkPolicy(NetworkPolicy now) {}
  }

  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private volatile InformerEventSource<NonRootPolicy, ?> policies;
  private volatile InformerEventSource<Service, ?> services;
  private volatile InformerEventSource<Namespace, ?> namespaces;
  private volatile InformerEventSource<NetworkPolicy, ?> networkPolicies;

  void listen(Listener listener) {
    listeners.add(listener);
  }

  /**
   * The shared informers as event sources of the first controller that asks; none for every later
   * one.
   */
  synchronized <P extends HasMetadata> List<EventSource<?, P>> hostedBy(
      EventSourceContext<P> context) {
    if (services != null) return List.of();
    Class<P> host = context.getPrimaryResourceClass();
    ThreadLocal<NonRootPolicy> previousPolicy = new ThreadLocal<>();
    var policySource =
        new PreviousVersionInformer<>(
            InformerEventSourceConfiguration.from(NonRootPolicy.class, host)
                .withName(POLICIES)
                .withWatchAllNamespaces()
                .withSecondaryToPrimaryMapper(
                    p -> {
                      NonRootPolicy before = previousPolicy.get();
                      tell(l -> l.policy(p, before));
                      return Set.of();
                    })
                .withPrimaryToSecondaryMapper(NO_SECONDARY_INDEX)
                .build(),
            context,
            previousPolicy);
    ThreadLocal<Service> previousService = new ThreadLocal<>();
    var serviceSource =
        new PreviousVersionInformer<>(
            InformerEventSourceConfiguration.from(Service.class, host)
                .withName(SERVICES)
                .withWatchAllNamespaces()
                .withSecondaryToPrimaryMapper(
                    s -> {
                      Service before = previousService.get();
                      tell(l -> l.service(s, before));
                      return Set.of();
                    })
                .withPrimaryToSecondaryMapper(NO_SECONDARY_INDEX)
                .withItemStore(new TransformingItemStore<>(CacheTrim::service))
                .build(),
            context,
            previousService);
    // Before the informer starts: JOSDK builds the indexes when it creates it.
    serviceSource.addIndexers(
        Map.of(CacheInventory.SELECTOR_INDEX, CacheInventory::selectorIndexKeys));
    var namespaceSource =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Namespace.class, host)
                .withName(NAMESPACES)
                .withWatchAllNamespaces()
                .withSecondaryToPrimaryMapper(
                    n -> {
                      tell(l -> l.namespace(n));
                      return Set.of();
                    })
                .withPrimaryToSecondaryMapper(NO_SECONDARY_INDEX)
                .build(),
            context);
    var networkPolicySource =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(NetworkPolicy.class, host)
                .withName(NETWORK_POLICIES)
                .withWatchAllNamespaces()
                .withSecondaryToPrimaryMapper(
                    p -> {
                      tell(l -> l.networkPolicy(p));
                      return Set.of();
                    })
                .withPrimaryToSecondaryMapper(NO_SECONDARY_INDEX)
                .build(),
            context);
    policies = policySource;
    services = serviceSource;
    namespaces = namespaceSource;
    networkPolicies = networkPolicySource;
    return List.of(policySource, serviceSource, namespaceSource, networkPolicySource);
  }

  private void tell(Consumer<Listener> event) {
    for (Listener l : listeners) event.accept(l);
  }

  /**
   * Whether every shared informer has synced and runs: before that (its host may start after
   * another controller) and after a stop, a cache would answer with nothing.
   */
  boolean running() {
    return policies != null
        && policies.isRunning()
        && services.isRunning()
        && namespaces.isRunning()
        && networkPolicies.isRunning();
  }

  InformerEventSource<NonRootPolicy, ?> policies() {
    return policies;
  }

  InformerEventSource<Service, ?> services() {
    return services;
  }

  InformerEventSource<Namespace, ?> namespaces() {
    return namespaces;
  }

  InformerEventSource<NetworkPolicy, ?> networkPolicies() {
    return networkPolicies;
  }
}
