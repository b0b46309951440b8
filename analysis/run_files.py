"""The names of the files in a run directory and a sweep directory: written by ``evo``, read by ``analysis``.

The one place these names live (``evo`` imports them from here; ``analysis`` imports nothing of ``evo``).
"""

MANIFEST = "manifest.json"
GENERATIONS = "generations.parquet"
ENTITIES_DIR = "entities"
ENTITY_PART_GLOB = "part-*.parquet"
#: Checkpoints (``evo.checkpoint``): ``checkpoints/ckpt-NNNNNN.json`` + ``.npz``.
CHECKPOINT_DIR = "checkpoints"
SWEEP_MANIFEST = "sweep.json"
