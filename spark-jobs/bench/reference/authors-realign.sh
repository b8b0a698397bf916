#!/usr/bin/env bash
# The paper authors' single-machine ReAlign script (embed_ReAlign.py from the public repository
# Yu-xm/ReVision; CC BY-NC-SA, so it is not part of this repository: clone it yourself and point
# REVISION_REPO at the clone) on the same embeddings realign reads, for side-by-side timings.
#
# Usage: authors-realign.sh TEXT_NPY_DIR IMAGE_NPY_DIR WORKDIR
# Converts each .npy file into the pickle layout the authors' embed.py writes (a list of
# {"id", "embed"}; PICKLE_DTYPE=float32 (default: the same values realign reads) or float16 (what
# embed.py stores)), then times embed_ReAlign.py on the pickles (conversion not timed) and prints
# "authors <seconds> s <MB> MB peak RSS".
set -euo pipefail
: "${REVISION_REPO:?set REVISION_REPO to a clone of the public Yu-xm/ReVision repository}"
TEXT="$1"; IMAGE="$2"; W="$3"
mkdir -p "$W/pkl-text" "$W/pkl-image"
python3 -c "import tqdm" 2>/dev/null || { echo "the authors' script needs tqdm: pip install tqdm" >&2; exit 1; }
PICKLE_DTYPE="${PICKLE_DTYPE:-float32}" python3 - "$TEXT" "$W/pkl-text" "$IMAGE" "$W/pkl-image" <<'PY'
import glob, os, pickle, sys
import numpy as np
for src, dst in ((sys.argv[1], sys.argv[2]), (sys.argv[3], sys.argv[4])):
    for f in sorted(glob.glob(os.path.join(src, "*.npy"))):
        out = os.path.join(dst, os.path.basename(f)[:-4] + ".pkl")
        if os.path.exists(out):
            continue
        a = np.load(f, mmap_mode="r").astype(os.environ["PICKLE_DTYPE"])
        stem = os.path.basename(f)[:-4]
        items = [{"id": "%s-%d" % (stem, i), "embed": a[i]} for i in range(a.shape[0])]
        with open(out, "wb") as fh:
            pickle.dump(items, fh)
PY
rm -rf "$W/authors-out"
# Cached, as realign's inputs are in run-pipeline-bench.sh.
cat "$W"/pkl-text/*.pkl "$W"/pkl-image/*.pkl > /dev/null
/usr/bin/time -f "%e %M" -o "$W/authors.time" python3 "$REVISION_REPO/embed_ReAlign.py" \
  --input_dir "$W/pkl-text" --img_input_dir "$W/pkl-image" --output_dir "$W/authors-out" \
  --mean_file_path "$W/authors-out/mean_vector.pkl" > "$W/authors.log" 2>&1 \
  || { tail -20 "$W/authors.log"; exit 1; }
read -r secs kb < "$W/authors.time"
printf "authors %.1f s %d MB peak RSS\n" "$secs" "$((kb / 1024))"
