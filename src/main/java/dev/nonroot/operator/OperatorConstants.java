package dev.nonroot.operator;

/** Names the operator shows to the cluster. */
public final class OperatorConstants {
  /** The field manager of every write, so managedFields and audit logs name us. */
  public static final String FIELD_MANAGER = "nonroot-operator";

  private OperatorConstants() {}
}
