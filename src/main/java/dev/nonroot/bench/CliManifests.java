package dev.nonroot.bench;

/**
 * The benchmark's input: Deployments with a Service each, in ten shapes that exercise every path of
 * fix (compliant, low ports with probes and Services, privileged, root UID, Unconfined seccomp,
 * needs-root, exempt, named ports, comments and strings that must stay quoted).
 */
final class CliManifests {
  /** Namespaces the workloads are spread over. */
  static final int NAMESPACES = 50;

  private CliManifests() {}

  static String generate(int deployments, int namespaces) {
    StringBuilder out = new StringBuilder(deployments * 2_200);
    for (int i = 0; i < deployments; i++) {
      String name = "app-" + i;
      String ns = "team-" + (i % Math.max(1, namespaces));
      int shape = i % 10;
      out.append("---\n").append(deployment(shape, name, ns));
      out.append("---\n").append(service(shape, name, ns));
    }
    return out.toString();
  }

  private static String deployment(int shape, String name, String ns) {
    String annotations = shape == 7 ? "  annotations:\n    nonroot.dev/exempt: \"true\"\n" : "";
    return """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: %1$s
          namespace: %2$s
          labels:
            app: %1$s
            tier: "backend"
        %3$sspec:
          replicas: 2
          selector:
            matchLabels:
              app: %1$s
          template:
            metadata:
              labels:
                app: %1$s
            spec:
        """
            .formatted(name, ns, annotations)
        + podSpec(shape, name).stripIndent().indent(6);
  }

  private static String podSpec(int shape, String name) {
    return switch (shape) {
      case 0, 1 ->
          """
                securityContext:
                  runAsNonRoot: true
                  runAsUser: 10001
                  seccompProfile:
                    type: RuntimeDefault
                containers:
                  - name: web
                    image: registry.example/%s:1.0
                    ports:
                      - containerPort: 8080
                    securityContext:
                      allowPrivilegeEscalation: false
                      capabilities:
                        drop: ["ALL"]
                    resources:
                      limits:
                        memory: 128Mi"""
              .formatted(name);
      case 2 ->
          """
                containers:
                  - name: nginx
                    image: nginx:1.27
                    ports:
                      - containerPort: 80""";
      case 3 ->
          """
                containers:
                  - name: web
                    image: registry.example/web:2
                    args: ["--http-port=80", "--https-port=443"]
                    ports:
                      - containerPort: 80
                        name: http
                      - containerPort: 443
                        name: https
                    livenessProbe:
                      httpGet:
                        path: /healthz
                        port: 80
                    readinessProbe:
                      tcpSocket:
                        port: 443""";
      case 4 ->
          """
                securityContext:
                  runAsUser: 0
                containers:
                  - name: agent
                    image: registry.example/agent:3
                    securityContext:
                      privileged: true""";
      case 5 ->
          """
                securityContext:
                  seccompProfile:
                    type: Unconfined
                initContainers:
                  - name: init
                    image: busybox:1.36
                    command: ["sh", "-c", "echo init"]
                containers:
                  - name: main
                    image: registry.example/main:4
                    securityContext:
                      allowPrivilegeEscalation: true
                      capabilities:
                        add: ["NET_ADMIN"]
                  - name: sidecar
                    image: registry.example/sidecar:1
                    ports:
                      - containerPort: 9090""";
      case 6 ->
          """
                containers:
                  - name: tuner
                    image: registry.example/tuner:1
                    securityContext:
                      capabilities:
                        add: ["SYS_ADMIN"]""";
      case 8 ->
          """
                containers:
                  - name: web
                    image: registry.example/web:2
                    env:
                      - name: PORT
                        value: "80"
                    ports:
                      - name: http
                        containerPort: 80""";
      default ->
          """
                # the app reads its port from PORT
                containers:
                  - name: worker
                    image: 'registry.example/worker:5'
                    env:
                      - name: PORT
                        value: "8080"
                      - name: DEBUG
                        value: "true"
                      - name: RATIO
                        value: "1.0"
                    command:
                      - sh
                      - -c
                      - |
                        echo starting
                        exec worker --port "$PORT"
                    ports:
                      - containerPort: 8080""";
    };
  }

  private static String service(int shape, String name, String ns) {
    String ports =
        switch (shape) {
          case 2 -> "    - port: 80\n";
          case 3 ->
              "    - name: http\n      port: 80\n      targetPort: 80\n    - name: https\n      port: 443\n      targetPort: 443\n";
          case 8 -> "    - port: 80\n      targetPort: http\n";
          default -> "    - port: 80\n      targetPort: 8080\n";
        };
    return """
        apiVersion: v1
        kind: Service
        metadata:
          name: %1$s
          namespace: %2$s
        spec:
          selector:
            app: %1$s
          ports:
        %3$s"""
        .formatted(name, ns, ports);
  }
}
