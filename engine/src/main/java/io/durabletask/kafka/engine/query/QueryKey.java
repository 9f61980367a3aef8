package io.durabletask.kafka.engine.query;

import io.durabletask.kafka.avro.InstanceKey;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A position in a listing of instances: a time (created or completed, in epoch milliseconds), then
 * the instance id. Listings run in this order on every partition, so a key is also where the next
 * page starts. Continuation tokens are keys in an opaque text form.
 */
public record QueryKey(long time, String instanceId) implements Comparable<QueryKey> {
  private static final String TOKEN_PREFIX = "k1.";

  /** The key before every key with this time or later. */
  public static QueryKey atTime(long time) {
    return new QueryKey(time, "");
  }

  @Override
  public int compareTo(QueryKey other) {
    int byTime = Long.compare(time, other.time);
    return byTime != 0 ? byTime : instanceId.compareTo(other.instanceId);
  }

  public InstanceKey toAvro() {
    return new InstanceKey(time, instanceId);
  }

  public static QueryKey fromAvro(InstanceKey key) {
    return key == null ? null : new QueryKey(key.getTime(), key.getInstanceId());
  }

  /** The key as an opaque continuation token. */
  public String toToken() {
    String text = time + "/" + instanceId;
    return TOKEN_PREFIX
        + Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Reads a continuation token made by {@link #toToken()}.
   *
   * @throws IllegalArgumentException if the text is not such a token
   */
  public static QueryKey fromToken(String token) {
    if (!token.startsWith(TOKEN_PREFIX)) {
      throw malformed(token, null);
    }
    try {
      String text =
          new String(
              Base64.getUrlDecoder().decode(token.substring(TOKEN_PREFIX.length())),
              StandardCharsets.UTF_8);
      int slash = text.indexOf('/');
      return new QueryKey(Long.parseLong(text.substring(0, slash)), text.substring(slash + 1));
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      throw malformed(token, e);
    }
  }

  private static IllegalArgumentException malformed(String token, Exception cause) {
    return new IllegalArgumentException(
        "Expected a continuation token from an earlier response, but '" + token + "' is not one",
        cause);
  }
}
