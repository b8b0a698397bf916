package dev.realign.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Templated, deterministic image-caption-like sentences (same seed, same list, any JVM). */
public final class Captions {
  private static final String[] SUBJECTS = {
    "man",
    "woman",
    "child",
    "dog",
    "cat",
    "horse",
    "group of people",
    "young girl",
    "old man",
    "surfer",
    "skateboarder",
    "chef",
    "bird",
    "brown bear",
    "giraffe",
    "couple",
    "baseball player",
    "cyclist",
    "fisherman",
    "train"
  };
  private static final String[] ADJECTIVES = {
    "small",
    "large",
    "happy",
    "tired",
    "smiling",
    "colorful",
    "wet",
    "muddy",
    "elderly",
    "curious",
    "sleepy",
    "bright red",
    "striped"
  };
  private static final String[] ACTIONS = {
    "is standing",
    "is sitting",
    "is running",
    "is walking",
    "is jumping",
    "is eating a sandwich",
    "is holding an umbrella",
    "is riding a wave",
    "is looking at the camera",
    "is playing with a frisbee",
    "is crossing the street",
    "is resting"
  };
  private static final String[] PLACES = {
    "on a sandy beach",
    "in a busy kitchen",
    "next to a red fire hydrant",
    "in the middle of a snowy field",
    "under a wooden bridge",
    "near a crowded train station",
    "inside a small bathroom",
    "on a city sidewalk",
    "beside a calm lake",
    "in front of a brick building",
    "on a grassy hill"
  };
  private static final String[] TIMES = {
    "at sunset",
    "in the early morning",
    "on a rainy day",
    "during a festival",
    "at night",
    "in the afternoon sun",
    ""
  };
  private static final String[] EXTRAS = {
    "while other people watch from a distance",
    "and a few cars are parked along the road behind them",
    "with mountains and a cloudy sky in the background",
    "as the photographer captures the moment from a low angle",
    ""
  };

  private Captions() {}

  /** {@code n} captions from {@code seed}; lengths vary from about 8 to 45 tokens. */
  public static List<String> generate(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      StringBuilder sb = new StringBuilder();
      sb.append(r.nextBoolean() ? "A " : "The ")
          .append(ADJECTIVES[r.nextInt(ADJECTIVES.length)])
          .append(' ')
          .append(SUBJECTS[r.nextInt(SUBJECTS.length)])
          .append(' ')
          .append(ACTIONS[r.nextInt(ACTIONS.length)])
          .append(' ')
          .append(PLACES[r.nextInt(PLACES.length)]);
      String time = TIMES[r.nextInt(TIMES.length)];
      if (!time.isEmpty()) {
        sb.append(' ').append(time);
      }
      int extras = r.nextInt(3);
      for (int e = 0; e < extras; e++) {
        String extra = EXTRAS[r.nextInt(EXTRAS.length)];
        if (!extra.isEmpty()) {
          sb.append(", ").append(extra);
        }
      }
      out.add(sb.append('.').toString());
    }
    return out;
  }
}
