package io.durabletask.kafka.codec;

import io.durabletask.kafka.avro.ClientResponse;
import io.durabletask.kafka.avro.HistoryEvent;
import io.durabletask.kafka.avro.InstanceRecord;
import io.durabletask.kafka.avro.OutboxEntry;
import io.durabletask.kafka.avro.PartitionEvent;
import io.durabletask.kafka.avro.PartitionMessage;
import io.durabletask.kafka.avro.PartitionMeta;
import org.apache.avro.util.ClassSecurityValidator;

/** The codecs of every record type that is stored or sent on its own. */
public final class Codecs {
  static {
    trustGeneratedClasses();
  }

  public static final AvroCodec<PartitionMessage> PARTITION_MESSAGE =
      AvroCodec.of(PartitionMessage.getClassSchema());
  public static final AvroCodec<ClientResponse> CLIENT_RESPONSE =
      AvroCodec.of(ClientResponse.getClassSchema());
  public static final AvroCodec<PartitionEvent> PARTITION_EVENT =
      AvroCodec.of(PartitionEvent.getClassSchema());
  public static final AvroCodec<InstanceRecord> INSTANCE_RECORD =
      AvroCodec.of(InstanceRecord.getClassSchema());
  public static final AvroCodec<HistoryEvent> HISTORY_EVENT =
      AvroCodec.of(HistoryEvent.getClassSchema());
  public static final AvroCodec<OutboxEntry> OUTBOX_ENTRY =
      AvroCodec.of(OutboxEntry.getClassSchema());
  public static final AvroCodec<PartitionMeta> PARTITION_META =
      AvroCodec.of(PartitionMeta.getClassSchema());

  private Codecs() {}

  /**
   * Lets Avro instantiate our generated classes. Avro refuses classes outside the JDK unless a
   * trusted-class predicate admits them.
   */
  public static void trustGeneratedClasses() {
    ClassSecurityValidator.ClassSecurityPredicate current = ClassSecurityValidator.getGlobal();
    ClassSecurityValidator.setGlobal(
        ClassSecurityValidator.composite(
            current, type -> type.getName().startsWith(GENERATED_PACKAGE)));
  }

  private static final String GENERATED_PACKAGE = "io.durabletask.kafka.avro.";
}
