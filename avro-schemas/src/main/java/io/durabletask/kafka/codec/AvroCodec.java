package io.durabletask.kafka.codec;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Encodes and decodes one record type in Avro single-object encoding: a two-byte marker, the 8-byte
 * fingerprint of the writer schema, then the Avro binary body. Instances are thread-safe.
 *
 * @param <T> the generated record class
 */
public final class AvroCodec<T extends SpecificRecord> {
  private final Schema schema;
  private final BinaryMessageEncoder<T> encoder;
  private final BinaryMessageDecoder<T> decoder;

  private AvroCodec(Schema schema) {
    this.schema = schema;
    this.encoder = new BinaryMessageEncoder<>(SpecificData.get(), schema);
    this.decoder = new BinaryMessageDecoder<>(SpecificData.get(), schema);
  }

  /** A codec for the generated class whose schema is {@code schema}. */
  public static <T extends SpecificRecord> AvroCodec<T> of(Schema schema) {
    return new AvroCodec<>(schema);
  }

  public byte[] encode(T value) {
    try {
      ByteBuffer buffer = encoder.encode(value);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException e) {
      throw new IllegalStateException(
          "Expected to encode a " + schema.getName() + ", but failed", e);
    }
  }

  /**
   * Decodes one record.
   *
   * @throws MalformedRecordException if the bytes are not a record of this type
   */
  public T decode(byte[] bytes) {
    try {
      return decoder.decode(bytes);
    } catch (IOException
        | AvroRuntimeException
        | IndexOutOfBoundsException
        | NegativeArraySizeException e) {
      throw new MalformedRecordException(
          "Expected an Avro single-object encoded "
              + schema.getName()
              + " of "
              + bytes.length
              + " bytes, but it could not be decoded: "
              + e.getMessage(),
          e);
    }
  }
}
