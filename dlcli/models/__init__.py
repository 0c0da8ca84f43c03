"""Stage: from a config's `model:` and `compile:` sections to a Keras model.

Owns building (`builder`: one stack of layers in `stack`, `kind: graph` in
`graph_builder`, `kind: gan` in `gan`), checking the model against the data before
TensorFlow starts (`checks`) and estimating its size against memory (`capacity`). Keras is
imported only inside the functions that build.
"""
