"""Stage 1, the config: what a run is asked to do, checked before anything heavy starts.

Owns reading YAML with the line and column of every key (`yaml_positions`), through one
bounded reader for every YAML dlcli parses (`yaml_reader`), the memory dlcli may plan to
use (`memory`), the whole schema as pydantic models with every default documented beside
its field (`schema`, `schema_base`, `layers`), the names a config may use and the
registries that resolve them (`names`), `--set` overrides (`overrides`), and loading all
of it into one validated `LoadedConfig` (`loader`). It imports nothing of dlcli but
`dlcli.errors`, and never imports TensorFlow, JAX or Keras, so `validate`, `schema` and
`--help` stay instant.
"""
