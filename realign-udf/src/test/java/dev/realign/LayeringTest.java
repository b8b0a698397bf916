package dev.realign;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of realign-udf, as tests. The math packages (align, stats, vector, metrics and the
 * root's Checks) are pure Java: no Spark, Hadoop or Scala, no files, and nothing from the Spark
 * face or from io. {@code io} is not a math package: it reads and writes files (Npy,
 * TransformFiles) by design, but it stays engine-free (no Spark, no Hadoop).
 */
class LayeringTest {
  static final String[] MATH = {
    "dev.realign",
    "dev.realign.align..",
    "dev.realign.stats..",
    "dev.realign.vector..",
    "dev.realign.metrics.."
  };
  static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.realign");
  }

  @Test
  void mathPackagesUseNoEngine() {
    ArchRule rule =
        noClasses()
            .that()
            .resideInAnyPackage(MATH)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                "org.apache.spark..",
                "org.apache.hadoop..",
                "scala..",
                "dev.realign.spark..",
                "dev.realign.ml..",
                "dev.realign.udf..",
                "dev.realign.io..")
            .because("the math runs in any engine (DESIGN section 2)");
    rule.check(classes);
  }

  @Test
  void mathPackagesTouchNoFiles() {
    ArchRule rule =
        noClasses()
            .that()
            .resideInAnyPackage(MATH)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("java.nio.file..", "java.nio.channels..")
            .orShould()
            .dependOnClassesThat()
            .haveFullyQualifiedName("java.io.File")
            .orShould()
            .dependOnClassesThat()
            .haveFullyQualifiedName("java.io.FileInputStream")
            .orShould()
            .dependOnClassesThat()
            .haveFullyQualifiedName("java.io.FileOutputStream")
            .orShould()
            .dependOnClassesThat()
            .haveFullyQualifiedName("java.io.RandomAccessFile")
            .orShould()
            .dependOnClassesThat()
            .haveFullyQualifiedName("java.io.FileReader")
            .orShould()
            .dependOnClassesThat()
            .haveFullyQualifiedName("java.io.FileWriter")
            .because("files are io's business (and the engine's): the math takes arrays and bytes");
    rule.check(classes);
  }

  @Test
  void ioUsesNoEngine() {
    noClasses()
        .that()
        .resideInAPackage("dev.realign.io..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.apache.spark..", "org.apache.hadoop..", "scala..")
        .check(classes);
  }

  @Test
  void theRuleCatchesAViolation() {
    // Negative control: the Spark face itself does depend on Spark, so the same rule fails there.
    ArchRule rule =
        noClasses()
            .that()
            .resideInAPackage("dev.realign.spark..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("org.apache.spark..");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> rule.check(classes))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("org.apache.spark");
  }
}
