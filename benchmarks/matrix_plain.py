"""The plain Keras scripts of the benchmark matrix: one model per workload, as a user
would write it without dlcli (same data, model, batch size and epochs as the dlcli
config in benchmarks/workloads.py). Fit on NumPy arrays, evaluate on the test split,
save the model. The only addition is an epoch timer (epoch hooks: nothing per batch).

    python benchmarks/matrix_plain.py WORKLOAD DATA.npz EPOCHS RESULT.json [xla|no-xla|default]
                                      [VALIDATION_SPLIT]

`default` leaves jit_compile to Keras ("auto": off on a CPU-only TensorFlow, always
compiled on JAX). The backend is Keras's: KERAS_BACKEND=jax runs the JAX script.
"""

import json
import sys
import time

import numpy as np

workload, path, epochs, result_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
xla = sys.argv[5] if len(sys.argv) > 5 else "default"
validation_split = float(sys.argv[6]) if len(sys.argv) > 6 else 0.0

import keras  # noqa: E402  (the import is part of what the script costs)

layers = keras.layers

with np.load(path) as data:
    x_train, y_train = data["x_train"], data["y_train"]
    x_test, y_test = data["x_test"], data["y_test"]

if workload in ("mlp", "cnn"):  # MNIST images, one-hot labels
    shape = (-1, 784) if workload == "mlp" else (-1, 28, 28, 1)
    x_train = x_train.reshape(shape).astype("float32") / 255
    x_test = x_test.reshape(shape).astype("float32") / 255
    y_train = keras.utils.to_categorical(y_train, 10)
    y_test = keras.utils.to_categorical(y_test, 10)

MODELS = {
    "mlp": lambda: [
        keras.Input(shape=(784,)),
        layers.Dense(512, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ],
    "cnn": lambda: [
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ],
    "lstm": lambda: [
        keras.Input(shape=x_train.shape[1:]),
        layers.LSTM(64),
        layers.Dense(1, activation="sigmoid"),
    ],
    "embedding": lambda: [
        keras.Input(shape=x_train.shape[1:]),
        layers.Embedding(10000, 32),
        layers.GlobalAveragePooling1D(),
        layers.Dense(16, activation="relu"),
        layers.Dense(1, activation="sigmoid"),
    ],
    "tabular": lambda: [
        keras.Input(shape=x_train.shape[1:]),
        layers.Dense(64, activation="relu"),
        layers.Dense(32, activation="relu"),
        layers.Dense(1, activation="sigmoid"),
    ],
}
# Loss, optimizer, metric and batch size per workload.
COMPILE = {
    "mlp": ("categorical_crossentropy", "rmsprop", 128),
    "cnn": ("categorical_crossentropy", "adam", 128),
    "lstm": ("binary_crossentropy", "adam", 128),
    "embedding": ("binary_crossentropy", "adam", 128),
    "tabular": ("binary_crossentropy", "adam", 64),
}

keras.utils.set_random_seed(42)
model = keras.Sequential(MODELS[workload]())
loss, optimizer, batch_size = COMPILE[workload]
jit = {"xla": True, "no-xla": False, "default": "auto"}[xla]
model.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"], jit_compile=jit)

epoch_seconds: list[float] = []


class EpochTimer(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        epoch_seconds.append(time.perf_counter() - self.started)


model.fit(
    x_train,
    y_train,
    batch_size=batch_size,
    epochs=epochs,
    validation_split=validation_split,
    verbose=0,
    callbacks=[EpochTimer()],
)
test_loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
model.save(result_path + ".model.keras")

with open(result_path, "w", encoding="utf-8") as out:
    json.dump(
        {
            "epoch_seconds": epoch_seconds,
            "samples": round(len(x_train) * (1 - validation_split)),
            "test_accuracy": accuracy,
            "xla": bool(model.jit_compile),
            "backend": keras.backend.backend(),
        },
        out,
    )
