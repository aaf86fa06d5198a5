package dev.nonroot.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time of this JVM's threads, to say who spent an idle minute's CPU. Threads are grouped by
 * name with the numbers taken out ({@code pool-3-thread-7} → {@code pool-#-thread-#}). The JVM's
 * own GC and JIT threads are not Java threads and do not show here.
 */
final class ThreadCpu {
  private record Sample(String name, long nanos) {}

  private final Map<Long, Sample> samples;

  private ThreadCpu(Map<Long, Sample> samples) {
    this.samples = samples;
  }

  static ThreadCpu now() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Map<Long, Sample> out = new HashMap<>();
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info == null) continue;
      long cpu = threads.getThreadCpuTime(info.getThreadId());
      if (cpu >= 0) out.put(info.getThreadId(), new Sample(info.getThreadName(), cpu));
    }
    return new ThreadCpu(out);
  }

  /** The {@code top} thread groups by CPU seconds spent since {@code before}, largest first. */
  Map<String, Double> since(ThreadCpu before, int top) {
    Map<String, Long> byGroup = new HashMap<>();
    samples.forEach(
        (id, s) -> {
          Sample b = before.samples.get(id);
          long spent = s.nanos() - (b == null ? 0 : b.nanos());
          byGroup.merge(s.name().replaceAll("\\d+", "#"), spent, Long::sum);
        });
    Map<String, Double> out = new LinkedHashMap<>();
    byGroup.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(top)
        .forEach(e -> out.put(e.getKey(), e.getValue() / 1e9));
    return out;
  }
}
