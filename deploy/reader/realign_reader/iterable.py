"""``AlignedIterable``: a torch IterableDataset split over ranks and DataLoader workers."""

from __future__ import annotations

from typing import Optional

import numpy as np

from ._deps import require
from .manifest import check_expected, read_manifest

torch = require("torch")

STATE_VERSION = 1


class AlignedIterable(torch.utils.data.IterableDataset):
    """Streams the rows of a realign dataset, each exactly once over all (rank, worker) pairs.

    The epoch's order is the manifest order (``shuffle``: shards in a seeded order, rows seeded
    within each shard; the seed is ``seed`` and the epoch). Positions in that order are dealt in
    blocks of ``batch_size`` rows round-robin: block ``g`` goes to rank ``g % world_size``, and a
    rank's ``k``-th block to DataLoader worker ``k % num_workers``. So with the DataLoader's
    ``batch_size`` equal to this one, the batches a rank receives (in the DataLoader's in-order
    round robin) are exactly its rows in order, whatever the worker count: a rank that has seen
    ``n`` rows has seen the first ``n`` of its list, which is what ``state_dict``/
    ``load_state_dict`` record and skip. With ``batch_size = 1`` every (rank, worker) stream holds
    the same number of rows, give or take one; ranks always differ by at most one block.

    Items: ``{"id", "embedding", "index"}`` (+ ``"text"`` when the shards have texts), ``index``
    being the row's position in manifest order.
    """

    def __init__(self, path: str, rank: int = 0, world_size: int = 1, shuffle: bool = False,
                 seed: int = 0, *, batch_size: int = 1, verify: bool = False,
                 dim: Optional[int] = None, dtype: Optional[str] = None,
                 transform_sha256: Optional[str] = None):
        if world_size < 1:
            raise ValueError(f"Invalid world_size: {world_size} (must be >= 1)")
        if not 0 <= rank < world_size:
            raise ValueError(f"Invalid rank: {rank} (must be in [0, {world_size}))")
        if batch_size < 1:
            raise ValueError(f"Invalid batch_size: {batch_size} (must be >= 1)")
        self.path = path
        self.manifest = read_manifest(path, verify=verify)
        check_expected(self.manifest, dim, dtype, transform_sha256)
        self.rank, self.world_size = rank, world_size
        self.shuffle, self.seed, self.batch_size = shuffle, seed, batch_size
        self.epoch = 0
        self._skip = 0
        self._seen_here = 0
        self._ds = None

    def _dataset(self):
        if self._ds is None:  # opened in the process that iterates: memory maps do not pickle
            from .dataset import AlignedDataset
            self._ds = AlignedDataset(self.manifest)
        return self._ds

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_ds"] = None
        return state

    def set_epoch(self, epoch: int) -> None:
        """Starts epoch ``epoch`` from its beginning (a new order when ``shuffle``)."""
        self.epoch, self._skip, self._seen_here = epoch, 0, 0

    def _order(self) -> Optional[np.ndarray]:
        """Manifest-order row index of each position of the epoch (None: the identity)."""
        if not self.shuffle:
            return None
        rng = np.random.default_rng([self.seed, self.epoch])
        sizes = [s.rows for s in self.manifest.shards]
        starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        parts = []
        for k in rng.permutation(len(sizes)):
            parts.append(starts[k] + np.random.default_rng([self.seed, self.epoch, int(k)])
                         .permutation(sizes[k]))
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    def rank_positions(self) -> np.ndarray:
        """This rank's positions in the epoch order, in the order it receives them."""
        n, bs = self.manifest.rows, self.batch_size
        blocks = np.arange(self.rank, (n + bs - 1) // bs, self.world_size, dtype=np.int64)
        pos = (blocks[:, None] * bs + np.arange(bs, dtype=np.int64)).ravel()
        return pos[pos < n]

    def __len__(self) -> int:
        """Rows this rank has still to receive in this epoch."""
        return max(0, len(self.rank_positions()) - self._skip)

    def __iter__(self):
        info = torch.utils.data.get_worker_info()
        workers, worker = (info.num_workers, info.id) if info is not None else (1, 0)
        pos = self.rank_positions()[self._skip:]
        mine = pos[(np.arange(len(pos)) // self.batch_size) % workers == worker]
        order = self._order()
        rows = order[mine] if order is not None else mine
        ds = self._dataset()
        self._seen_here = 0
        for r in rows:
            item = ds[int(r)]
            item["index"] = int(r)
            self._seen_here += 1
            yield item

    def state_dict(self, rows_seen: Optional[int] = None) -> dict:
        """Where this rank stands in the epoch. ``rows_seen``: rows this rank's training loop has
        received this epoch (needed under a DataLoader: its workers' progress is invisible here,
        and it fetches ahead of the loop); without it, the rows this object yielded itself
        (right when the loop iterates the dataset directly)."""
        seen = self._skip + self._seen_here if rows_seen is None else int(rows_seen)
        return {"version": STATE_VERSION, "epoch": self.epoch, "rows_seen": seen,
                "rank": self.rank, "world_size": self.world_size, "seed": self.seed,
                "shuffle": self.shuffle, "batch_size": self.batch_size,
                "rows": self.manifest.rows, "transform_sha256": self.manifest.transform_sha256}

    def load_state_dict(self, state: dict) -> None:
        """Resumes mid-epoch: the next iteration yields exactly the rows not yet seen."""
        if state.get("version") != STATE_VERSION:
            raise ValueError(f"Invalid state: version {state.get('version')!r} (expected"
                             f" {STATE_VERSION})")
        for key in ("rank", "world_size", "seed", "shuffle", "batch_size", "rows",
                    "transform_sha256"):
            mine = self.state_dict()[key]
            if state[key] != mine:
                raise ValueError(f"Invalid state: {key} was {state[key]!r}, this dataset has"
                                 f" {mine!r} (the split would change; resume with the same"
                                 f" data and settings)")
        total = len(self.rank_positions())
        if not 0 <= state["rows_seen"] <= total:
            raise ValueError(f"Invalid state: rows_seen {state['rows_seen']} (must be in"
                             f" [0, {total}] for rank {self.rank})")
        self.epoch, self._skip, self._seen_here = state["epoch"], state["rows_seen"], 0
