package dev.realign.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusFilesTest {
  @TempDir Path dir;

  private void touch(String rel) throws Exception {
    Path p = dir.resolve(rel);
    Files.createDirectories(p.getParent());
    Files.writeString(p, "x\n");
  }

  @Test
  void directoryIsListedRecursivelyInSortedOrderSkippingHiddenFiles() throws Exception {
    for (String f :
        new String[] {
          "b/2.jsonl", "a.txt.gz", "b/10.jsonl", "_SUCCESS", ".a.crc", "c.parquet", "_tmp/x.txt"
        }) {
      touch(f);
    }
    assertThat(CorpusFiles.list(dir.toString()))
        .extracting(CorpusFile::relativePath)
        .containsExactly("a.txt.gz", "b/10.jsonl", "b/2.jsonl", "c.parquet");
    CorpusFile gz = CorpusFiles.list(dir.toString()).get(0);
    assertThat(gz.format()).isEqualTo(CorpusFormat.TEXT);
    assertThat(gz.gzip()).isTrue();
  }

  @Test
  void globMatchesRelativeToItsFolder() throws Exception {
    for (String f : new String[] {"in/x1.jsonl", "in/x2.jsonl", "in/y.txt", "in/sub/x3.jsonl"}) {
      touch(f);
    }
    assertThat(CorpusFiles.list(dir + "/in/x*.jsonl"))
        .extracting(CorpusFile::relativePath)
        .containsExactly("x1.jsonl", "x2.jsonl");
    assertThat(CorpusFiles.list(dir + "/in/**.jsonl"))
        .extracting(CorpusFile::relativePath)
        .containsExactly("sub/x3.jsonl", "x1.jsonl", "x2.jsonl");
    assertThatThrownBy(() -> CorpusFiles.list(dir + "/in/*.parquet"))
        .hasMessage("No files match " + dir + "/in/*.parquet");
  }

  @Test
  void singleFileIsItsOwnRoot() throws Exception {
    touch("one.jsonl");
    assertThat(CorpusFiles.list(dir.resolve("one.jsonl").toString()))
        .containsExactly(
            new CorpusFile(dir.resolve("one.jsonl"), "one.jsonl", CorpusFormat.JSONL, false));
  }

  @Test
  void missingPathIsNamed() {
    String missing = dir.resolve("nope").toString();
    assertThatThrownBy(() -> CorpusFiles.list(missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Input path does not exist: " + missing);
    assertThatThrownBy(() -> CorpusFiles.list(missing + "/*.txt"))
        .hasMessageStartingWith("Input path does not exist: " + missing);
  }

  @Test
  void unknownExtensionFailsUnlessTheFormatIsGiven() throws Exception {
    touch("notes.md");
    String p = dir.resolve("notes.md").toString();
    assertThatThrownBy(() -> CorpusFiles.list(p))
        .hasMessageStartingWith("Unknown corpus file type: notes.md (must end in one of [.jsonl,");
    assertThat(CorpusFiles.list(p, CorpusFormat.TEXT).get(0).format()).isEqualTo(CorpusFormat.TEXT);
    assertThatThrownBy(() -> CorpusFormat.parse("csv"))
        .hasMessage("Invalid corpus format: csv (must be one of [jsonl, text, parquet])");
  }
}
