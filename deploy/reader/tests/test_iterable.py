"""Rank x worker split: every row exactly once, even counts; mid-epoch resume."""

from unittest import mock

import pytest
import torch

from realign_reader import AlignedIterable

from conftest import N


class _Worker:
    def __init__(self, wid, num):
        self.id, self.num_workers = wid, num


def _stream(ds, worker=None, workers=0):
    """What ds yields inside DataLoader worker `worker` of `workers` (0: the main process)."""
    info = _Worker(worker, workers) if workers else None
    with mock.patch("torch.utils.data.get_worker_info", return_value=info):
        return [item["index"] for item in ds]


@pytest.mark.parametrize("world_size", range(1, 9))
def test_every_row_exactly_once_with_even_counts(fixtures, world_size):
    path = f"{fixtures}/arrow-float32"
    for workers in range(0, 5):
        counts, seen = [], []
        for rank in range(world_size):
            ds = AlignedIterable(path, rank=rank, world_size=world_size)
            for w in range(max(workers, 1)):
                rows = _stream(ds, w, workers)
                counts.append(len(rows))
                seen.extend(rows)
        assert sorted(seen) == list(range(N)), (world_size, workers)
        assert max(counts) - min(counts) <= 1, (world_size, workers, counts)


@pytest.mark.parametrize("workers", [0, 2, 4])
def test_real_dataloader_workers_deliver_the_rank_rows_in_order(fixtures, workers):
    path = f"{fixtures}/parquet-float32"
    seen = []
    for rank in range(3):
        ds = AlignedIterable(path, rank=rank, world_size=3, batch_size=16)
        loader = torch.utils.data.DataLoader(ds, batch_size=16, num_workers=workers)
        got = [int(i) for b in loader for i in b["index"]]
        assert got == ds.rank_positions().tolist()
        assert all(b["embedding"].shape[1] == 512 for b in loader)
        seen.extend(got)
    assert sorted(seen) == list(range(N))


def test_shuffle_is_seeded_per_epoch_and_still_exactly_once(fixtures):
    path = f"{fixtures}/arrow-float16"
    def epoch(seed, e, world_size=2):
        out = []
        for rank in range(world_size):
            ds = AlignedIterable(path, rank=rank, world_size=world_size, shuffle=True, seed=seed)
            ds.set_epoch(e)
            out.append(_stream(ds))
        return out
    a, b, c = epoch(7, 0), epoch(7, 0), epoch(7, 1)
    assert a == b
    assert a != c
    assert sorted(a[0] + a[1]) == list(range(N))
    assert a[0] + a[1] != list(range(N))


@pytest.mark.parametrize("workers,resume_workers", [(0, 0), (2, 2), (2, 3), (3, 0)])
def test_resume_after_n_batches_yields_exactly_the_remaining_rows(fixtures, workers,
                                                                  resume_workers):
    path, bs, n_batches = f"{fixtures}/arrow-float32", 8, 5
    for rank in range(2):
        full = AlignedIterable(path, rank=rank, world_size=2, shuffle=True, seed=3,
                               batch_size=bs)
        full.set_epoch(4)
        everything = [int(i) for b in torch.utils.data.DataLoader(full, batch_size=bs)
                      for i in b["index"]]

        ds = AlignedIterable(path, rank=rank, world_size=2, shuffle=True, seed=3, batch_size=bs)
        ds.set_epoch(4)
        consumed = []
        for k, b in enumerate(torch.utils.data.DataLoader(ds, batch_size=bs,
                                                          num_workers=workers)):
            if k == n_batches:
                break
            consumed.extend(int(i) for i in b["index"])
        state = ds.state_dict(rows_seen=len(consumed))

        resumed = AlignedIterable(path, rank=rank, world_size=2, shuffle=True, seed=3,
                                  batch_size=bs)
        resumed.load_state_dict(state)
        assert len(resumed) == len(everything) - len(consumed)
        rest = [int(i) for b in torch.utils.data.DataLoader(resumed, batch_size=bs,
                                                            num_workers=resume_workers)
                for i in b["index"]]
        assert consumed == everything[:n_batches * bs]
        assert rest == everything[n_batches * bs:]


def test_a_state_for_other_settings_is_refused(fixtures):
    path = f"{fixtures}/arrow-float32"
    state = AlignedIterable(path, rank=0, world_size=2).state_dict(rows_seen=10)
    with pytest.raises(ValueError, match="world_size was 2, this dataset has 4"):
        AlignedIterable(path, rank=0, world_size=4).load_state_dict(state)
    with pytest.raises(ValueError, match=r"Invalid rank: 2 \(must be in \[0, 2\)\)"):
        AlignedIterable(path, rank=2, world_size=2)


def test_direct_iteration_counts_its_own_rows(fixtures):
    path = f"{fixtures}/arrow-float32"
    ds = AlignedIterable(path, rank=1, world_size=3)
    it = iter(ds)
    first = [next(it)["index"] for _ in range(17)]
    state = ds.state_dict()  # no DataLoader fetching ahead: the object knows what it yielded
    assert state["rows_seen"] == 17
    resumed = AlignedIterable(path, rank=1, world_size=3)
    resumed.load_state_dict(state)
    assert first + [x["index"] for x in resumed] == ds.rank_positions().tolist()
