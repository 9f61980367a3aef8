package io.durabletask.kafka.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The report as one JSON document: {@code machine}, {@code settings}, {@code baselines} and {@code
 * rows}, with the field names of {@link Report} and its parts. A figure that does not apply to a
 * row's mode is null.
 */
final class ReportJson {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ReportJson() {}

  static String render(Report report) {
    try {
      return JSON.writeValueAsString(report);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Expected to write the report as JSON, but: " + e, e);
    }
  }
}
