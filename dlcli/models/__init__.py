"""Stage: from a config's `model:` and `compile:` sections to a Keras model.

Every kind of model (`model.kind`) is one ModelKind object (`kind`) in one module —
`sequential` (one stack of layers, built by `stack`), `graph` (named nodes, built by
`graph_builder`), the `gan` package — behind one registry, `kinds.MODEL_KINDS`; callers
ask `kinds.model_kind(name)` and call its methods, never compare the name. `builder`
builds the configured model through its kind; `checks` checks the model against the data
(with `label_checks` for the kinds trained on labels) and `capacity` estimates its size
against memory, both before TensorFlow starts. Keras is imported only inside the
functions that build.
"""
