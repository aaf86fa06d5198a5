package dev.nonroot.demo;

import dev.nonroot.kubesim.HumanDuration;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A duration as kubectl users write it (3s, 500ms, 1m30s), or 0. */
final class DelayConverter implements ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    try {
      return HumanDuration.parse(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}
