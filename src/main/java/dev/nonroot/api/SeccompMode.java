package dev.nonroot.api;

/** RuntimeDefault replaces an unset or Unconfined seccomp profile; Unmanaged leaves it alone. */
public enum SeccompMode {
  RuntimeDefault,
  Unmanaged
}
