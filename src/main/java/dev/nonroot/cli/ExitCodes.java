package dev.nonroot.cli;

/** The CLI's exit codes; scripts and CI depend on them. */
public final class ExitCodes {
  /** Success; for scan: nothing violates the policy. */
  public static final int OK = 0;

  /** scan found something that violates the policy. */
  public static final int FINDINGS = 1;

  /** Bad input or usage: unreadable or invalid files, an invalid policy, wrong options. */
  public static final int BAD_INPUT = 2;

  /** A bug: something failed that no input should make fail. */
  public static final int INTERNAL_ERROR = 3;

  /**
   * run: this replica lost its leader-election Lease and stopped, so that Kubernetes restarts it as
   * a standby.
   */
  public static final int LOST_LEADERSHIP = 4;

  private ExitCodes() {}
}
