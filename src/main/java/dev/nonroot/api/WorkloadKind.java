package dev.nonroot.api;

/** Kinds whose pod template a policy can remediate. */
public enum WorkloadKind {
  Deployment,
  StatefulSet,
  DaemonSet,
  ReplicaSet,
  Job,
  CronJob,
  Pod
}
