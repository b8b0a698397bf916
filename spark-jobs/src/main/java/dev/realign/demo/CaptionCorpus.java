package dev.realign.demo;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A templated, deterministic caption corpus for the demo: COCO-like sentences ("a brown dog running
 * on a beach at sunset") built from fixed word lists by {@code SplittableRandom(seed)}, written as
 * JSONL files ({@code {"id": "cap-000123", "text": "..."}}), split evenly over {@code files} files.
 * Two lines of the first file are deliberately bad (an empty text and an invalid JSON line) so the
 * demo shows quarantined rows.
 */
public final class CaptionCorpus {
  private static final String[] SUBJECTS = {
    "dog",
    "cat",
    "man",
    "woman",
    "child",
    "horse",
    "bicycle",
    "bus",
    "train",
    "bird",
    "group of people",
    "surfer",
    "skateboarder",
    "pizza",
    "plate of food",
    "giraffe",
    "elephant",
    "car",
    "boat",
    "kite"
  };
  private static final String[] ADJECTIVES = {
    "small",
    "large",
    "brown",
    "white",
    "black",
    "red",
    "young",
    "old",
    "happy",
    "wet",
    "colorful",
    "striped"
  };
  private static final String[] ACTIONS = {
    "standing",
    "sitting",
    "running",
    "riding a wave",
    "jumping",
    "eating",
    "lying",
    "walking",
    "parked",
    "flying",
    "waiting",
    "playing"
  };
  private static final String[] PLACES = {
    "on a beach",
    "in a park",
    "on a city street",
    "next to a building",
    "in a kitchen",
    "on a grassy field",
    "near the water",
    "in front of a house",
    "on a snowy hill",
    "at a train station",
    "in a living room",
    "under a tree"
  };
  private static final String[] TIMES = {
    "", "", " at sunset", " in the rain", " on a sunny day", " at night"
  };

  private CaptionCorpus() {}

  public static void generate(Path dir, int captions, int files, long seed) {
    try {
      Files.createDirectories(dir);
      SplittableRandom rnd = new SplittableRandom(seed);
      int next = 0;
      for (int f = 0; f < files; f++) {
        int n = captions / files + (f < captions % files ? 1 : 0);
        Path file = dir.resolve(String.format(Locale.ROOT, "captions-%03d.jsonl", f));
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
          for (int i = 0; i < n; i++) {
            String id = String.format(Locale.ROOT, "cap-%06d", next++);
            String text;
            boolean bad = f == 0;
            if (bad && i == n / 3) {
              text = "";
            } else {
              text =
                  "a "
                      + pick(rnd, ADJECTIVES)
                      + " "
                      + pick(rnd, SUBJECTS)
                      + " "
                      + pick(rnd, ACTIONS)
                      + " "
                      + pick(rnd, PLACES)
                      + pick(rnd, TIMES);
            }
            if (bad && i == 2 * n / 3) {
              w.write("{\"id\": \"" + id + "\", \"text\": \"an unterminated line\n");
            } else {
              w.write("{\"id\": \"" + id + "\", \"text\": \"" + text + "\"}\n");
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the demo caption corpus under " + dir, e);
    }
  }

  private static String pick(SplittableRandom rnd, String[] words) {
    return words[rnd.nextInt(words.length)];
  }
}
