"""Stage 2a, the data: from a config's `data` section to arrays ready for `model.fit`.

Owns the data sources (`sources`: one registry, `SOURCES`, of one object per `dataset:`
name — Keras's built-ins read from a local copy, files, inline values, synthetic data,
time series, text, image folders — each of which loads for training and reads new
inputs for predict, the server and `evaluate --data`), the file readers (`formats`:
npz, npy, CSV, IDX — one reader per format), preprocessing shared by training and
prediction (`preprocess`), the dataset as the runner gets it (`pipeline`, `dataset`), and
reading the files a user wants predictions for (`inputs`). It depends on `dlcli.config`
only; it knows nothing of models or run folders.
"""
