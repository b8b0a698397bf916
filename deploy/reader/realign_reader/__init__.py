"""Reader of realign's aligned shards for the GPU stage.

``open_aligned`` (map-style torch Dataset), ``AlignedIterable`` (rank/worker-sharded, resumable
IterableDataset), ``hf_dataset`` (Hugging Face ``datasets`` view of Arrow shards),
``load_transform`` (realign-transform.json applied to torch tensors) and
``write_revision_records`` (LLaVA-style pretraining JSON + id -> embedding lookup for ReVision).
Every entry point trusts ``_manifest.json``, never a directory listing.
"""

from .manifest import DatasetError, Manifest, ShardEntry, read_manifest
from .dataset import AlignedDataset, open_aligned, hf_dataset
from .iterable import AlignedIterable
from .transform import Transform, load_transform
from .revision import EmbeddingLookup, load_embedding_lookup, write_revision_records

__all__ = [
    "AlignedDataset", "AlignedIterable", "DatasetError", "EmbeddingLookup", "Manifest",
    "ShardEntry", "Transform", "hf_dataset", "load_embedding_lookup", "load_transform",
    "open_aligned", "read_manifest", "write_revision_records",
]
