"""Putting a trained model to work elsewhere: SavedModel, ONNX and LiteRT exports.

Each export is loaded back with its own runtime and checked against the Keras model
before it is moved into place in the run directory, with a metadata file describing the
preprocessing it expects. Uses the trained run (`dlcli.trained.inference`) and the one
preprocessing definition (`dlcli.data.preprocess`); used by `dlcli.api` and the CLI.
"""
