package dev.nonroot.api;

/**
 * Where the pod's runAsUser comes from when the policy has to set one. Image keeps the non-zero UID
 * that running pods of the workload report (the image's own USER, whose files it owns); Policy
 * always takes the policy's runAsUser.
 */
public enum RunAsUserFrom {
  Image,
  Policy
}
