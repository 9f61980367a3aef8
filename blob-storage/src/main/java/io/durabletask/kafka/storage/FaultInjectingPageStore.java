package io.durabletask.kafka.storage;

import io.durabletask.kafka.engine.storage.StorageException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A {@link PageStore} that passes every call to another one, and first shows it to hooks that tests
 * set: a hook may fail the call, delay it, or count it. Hooks run on the calling thread.
 */
public final class FaultInjectingPageStore implements PageStore {

  /** The calls that can be observed. */
  public enum Operation {
    CREATE,
    WRITE,
    FLUSH,
    READ,
    DELETE,
    LIST,
    READ_DOCUMENT,
    CREATE_DOCUMENT,
    ACQUIRE_LEASE,
    RENEW_LEASE,
    BREAK_LEASE
  }

  /**
   * One call: its operation, the blob, document or lease name, and the offset of reads and writes.
   */
  public record Call(Operation operation, String name, long offset) {
    public boolean is(Operation expected, String namePrefix) {
      return operation == expected && name.startsWith(namePrefix);
    }
  }

  /** The failure a {@link #failWhen} hook throws. */
  public static final class InjectedFaultException extends StorageException {
    public InjectedFaultException(Call call) {
      super("Injected fault in " + call);
    }
  }

  private final PageStore inner;
  private final List<Consumer<Call>> hooks = new CopyOnWriteArrayList<>();
  private final List<Call> calls = new CopyOnWriteArrayList<>();

  public FaultInjectingPageStore(PageStore inner) {
    this.inner = inner;
  }

  /** Runs {@code hook} before every call from now on. */
  public void beforeEach(Consumer<Call> hook) {
    hooks.add(hook);
  }

  /** Fails every call that matches {@code which} from now on. */
  public void failWhen(Predicate<Call> which) {
    beforeEach(
        call -> {
          if (which.test(call)) {
            throw new InjectedFaultException(call);
          }
        });
  }

  /** Removes every hook. */
  public void clearHooks() {
    hooks.clear();
  }

  /** How many calls so far match {@code which}. */
  public long count(Predicate<Call> which) {
    return calls.stream().filter(which).count();
  }

  private void observe(Operation operation, String name, long offset) {
    Call call = new Call(operation, name, offset);
    calls.add(call);
    hooks.forEach(hook -> hook.accept(call));
  }

  @Override
  public String location() {
    return inner.location();
  }

  @Override
  public void createIfMissing() {
    inner.createIfMissing();
  }

  @Override
  public PageBlob blob(String name) {
    return new ObservedBlob(inner.blob(name));
  }

  @Override
  public List<String> list(String prefix) {
    observe(Operation.LIST, prefix, 0);
    return inner.list(prefix);
  }

  @Override
  public Optional<byte[]> readDocument(String name) {
    observe(Operation.READ_DOCUMENT, name, 0);
    return inner.readDocument(name);
  }

  @Override
  public boolean createDocument(String name, byte[] content) {
    observe(Operation.CREATE_DOCUMENT, name, 0);
    return inner.createDocument(name, content);
  }

  @Override
  public Lease acquireLease(String name, String ownerId, Duration duration) {
    observe(Operation.ACQUIRE_LEASE, name, 0);
    return new ObservedLease(inner.acquireLease(name, ownerId, duration));
  }

  @Override
  public void breakLease(String name) {
    observe(Operation.BREAK_LEASE, name, 0);
    inner.breakLease(name);
  }

  @Override
  public void close() {
    inner.close();
  }

  private static Lease unwrap(Lease lease) {
    return lease instanceof ObservedLease observed ? observed.inner : lease;
  }

  private final class ObservedBlob implements PageBlob {
    private final PageBlob inner;

    ObservedBlob(PageBlob inner) {
      this.inner = inner;
    }

    @Override
    public String name() {
      return inner.name();
    }

    @Override
    public boolean exists() {
      return inner.exists();
    }

    @Override
    public void create(Lease lease) {
      observe(Operation.CREATE, name(), 0);
      inner.create(unwrap(lease));
    }

    @Override
    public long length() {
      return inner.length();
    }

    @Override
    public void write(long offset, ByteBuffer pages, Lease lease) {
      observe(Operation.WRITE, name(), offset);
      inner.write(offset, pages, unwrap(lease));
    }

    @Override
    public void flush() {
      observe(Operation.FLUSH, name(), 0);
      inner.flush();
    }

    @Override
    public ByteBuffer read(long offset, int maxLength) {
      observe(Operation.READ, name(), offset);
      return inner.read(offset, maxLength);
    }

    @Override
    public void delete(Lease lease) {
      observe(Operation.DELETE, name(), 0);
      inner.delete(unwrap(lease));
    }
  }

  private final class ObservedLease implements Lease {
    private final Lease inner;

    ObservedLease(Lease inner) {
      this.inner = inner;
    }

    @Override
    public String name() {
      return inner.name();
    }

    @Override
    public String ownerId() {
      return inner.ownerId();
    }

    @Override
    public void renew() {
      observe(Operation.RENEW_LEASE, name(), 0);
      inner.renew();
    }

    @Override
    public void release() {
      inner.release();
    }
  }
}
