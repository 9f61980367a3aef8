package io.durabletask.kafka.engine;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.durabletask.kafka.engine.partition.PartitionProcessor;
import io.durabletask.kafka.engine.storage.memory.InMemoryTaskHubStore;
import io.durabletask.kafka.engine.transport.memory.InMemoryTransport;
import org.junit.jupiter.api.Test;

class ArchitectureTest {
  private static final JavaClasses ENGINE =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.durabletask.kafka.engine");

  private static final ArchRule NO_INFRASTRUCTURE =
      noClasses()
          .that()
          .resideInAPackage("io.durabletask.kafka.engine..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.apache.kafka..", "com.azure..", "io.grpc..", "org.rocksdb..")
          .because("the engine runs over any transport and storage (see DESIGN.md, Modules)");

  @Test
  void shouldImportTheEngineClasses() {
    // given the classes imported from the engine's main output

    // when
    int count = ENGINE.size();

    // then
    assertThat(count).isGreaterThan(20);
    assertThat(ENGINE.contain(Engine.class)).isTrue();
    assertThat(ENGINE.contain(PartitionProcessor.class)).isTrue();
    assertThat(ENGINE.contain(InMemoryTransport.class)).isTrue();
    assertThat(ENGINE.contain(InMemoryTaskHubStore.class)).isTrue();
    assertThat(ENGINE.contain(ArchitectureTest.class)).isFalse();
  }

  @Test
  void shouldKeepTheEngineFreeOfInfrastructureClasses() {
    // given
    ArchRule rule = NO_INFRASTRUCTURE;

    // when / then
    rule.check(ENGINE);
  }
}
