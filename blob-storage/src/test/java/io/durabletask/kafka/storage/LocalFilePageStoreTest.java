package io.durabletask.kafka.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.durabletask.kafka.engine.storage.PartitionOwnershipLostException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalFilePageStoreTest {
  private static final Duration LEASE = Duration.ofSeconds(30);

  @TempDir Path folder;
  private final MutableClock clock = new MutableClock();
  private LocalFilePageStore store;

  @BeforeEach
  void createStore() {
    store = new LocalFilePageStore(folder, clock);
    store.createIfMissing();
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  @Test
  void shouldReadBackPagesAndZerosWhereNothingWasWritten() {
    // given
    Lease lease = store.acquireLease("p00/lease", "owner", LEASE);
    PageBlob blob = store.blob("p00/data");
    blob.create(lease);

    // when
    blob.write(1024, ByteBuffer.wrap(filled(512, (byte) 7)), lease);
    blob.flush();

    // then
    assertThat(blob.length()).isEqualTo(1536);
    ByteBuffer read = blob.read(512, 4096);
    assertThat(read.remaining()).isEqualTo(1024);
    assertThat(read.get(0)).isZero();
    assertThat(read.get(600)).isEqualTo((byte) 7);
    lease.release();
  }

  @Test
  void shouldRefuseWritesThatAreNotWholePages() {
    // given
    Lease lease = store.acquireLease("p00/lease", "owner", LEASE);
    PageBlob blob = store.blob("p00/data");
    blob.create(lease);

    // when / then
    assertThatThrownBy(() -> blob.write(100, ByteBuffer.allocate(512), lease))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("whole 512-byte pages");
    assertThatThrownBy(() -> blob.write(0, ByteBuffer.allocate(100), lease))
        .isInstanceOf(IllegalArgumentException.class);
    lease.release();
  }

  @Test
  void shouldListByPrefixAndDelete() {
    // given
    Lease lease = store.acquireLease("p01/lease", "owner", LEASE);
    store.blob("p01/log-2").create(lease);
    store.blob("p01/log-1").create(lease);
    store.blob("p01/other").create(lease);

    // when
    store.blob("p01/log-2").delete(lease);

    // then
    assertThat(store.list("p01/log-")).containsExactly("p01/log-1");
    assertThat(store.list("p01/")).containsExactly("p01/lease", "p01/log-1", "p01/other");
    assertThat(store.list("p02/")).isEmpty();
    lease.release();
  }

  @Test
  void shouldCreateADocumentOnlyOnce() {
    // given
    assertThat(store.createDocument("taskhub.json", TestPartition.bytes("first"))).isTrue();

    // when
    boolean again = store.createDocument("taskhub.json", TestPartition.bytes("second"));

    // then
    assertThat(again).isFalse();
    assertThat(store.readDocument("taskhub.json"))
        .hasValueSatisfying(content -> assertThat(TestPartition.text(content)).isEqualTo("first"));
    assertThat(store.list("")).containsExactly("taskhub.json");
  }

  @Test
  void shouldRefuseALiveLeaseToAnotherOwnerUntilItExpires() {
    // given
    Lease first = store.acquireLease("p00/lease", "first", LEASE);

    // when / then
    assertThatThrownBy(() -> store.acquireLease("p00/lease", "second", LEASE))
        .isInstanceOf(PartitionOwnershipLostException.class)
        .hasMessageContaining("owner 'first' holds it until");
    clock.advance(LEASE.plusSeconds(1));
    Lease second = store.acquireLease("p00/lease", "second", LEASE);
    assertThatThrownBy(first::renew).isInstanceOf(PartitionOwnershipLostException.class);
    second.release();
    first.release();
  }

  @Test
  void shouldKeepALeaseThatIsRenewed() {
    // given
    Lease first = store.acquireLease("p00/lease", "first", LEASE);

    // when
    clock.advance(LEASE.minusSeconds(5));
    first.renew();
    clock.advance(LEASE.minusSeconds(5));

    // then
    assertThatThrownBy(() -> store.acquireLease("p00/lease", "second", LEASE))
        .isInstanceOf(PartitionOwnershipLostException.class);
    first.release();
  }

  @Test
  void shouldFailWritesOfAnOwnerWhoseLeaseWasBroken() {
    // given
    Lease lease = store.acquireLease("p00/lease", "owner", LEASE);
    PageBlob blob = store.blob("p00/data");
    blob.create(lease);

    // when
    store.breakLease("p00/lease");

    // then
    assertThatThrownBy(() -> blob.write(0, ByteBuffer.allocate(512), lease))
        .isInstanceOf(PartitionOwnershipLostException.class)
        .hasMessageContaining("it was broken");
    Lease next = store.acquireLease("p00/lease", "next", LEASE);
    blob.write(0, ByteBuffer.allocate(512), next);
    next.release();
    lease.release();
  }

  @Test
  void shouldLetAnotherOwnerAcquireAReleasedLeaseAtOnce() {
    // given
    Lease first = store.acquireLease("p00/lease", "first", LEASE);

    // when
    first.release();

    // then
    Lease second = store.acquireLease("p00/lease", "second", LEASE);
    assertThat(second.ownerId()).isEqualTo("second");
    second.release();
  }

  private static byte[] filled(int length, byte value) {
    byte[] bytes = new byte[length];
    Arrays.fill(bytes, value);
    return bytes;
  }
}
