package io.durabletask.kafka.engine.storage;

import java.util.Arrays;

/** A byte array with value equality and unsigned lexicographic order, usable as a map key. */
public final class Bytes implements Comparable<Bytes> {
  private final byte[] value;
  private final int hash;

  public Bytes(byte[] value) {
    this.value = value;
    this.hash = Arrays.hashCode(value);
  }

  public byte[] get() {
    return value;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Bytes that && Arrays.equals(value, that.value);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public int compareTo(Bytes other) {
    return Arrays.compareUnsigned(value, other.value);
  }

  /** True when {@code key} begins with {@code prefix}. */
  public static boolean startsWith(byte[] key, byte[] prefix) {
    return key.length >= prefix.length
        && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }
}
