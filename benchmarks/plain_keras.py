"""The plain Keras script dlcli is measured against: the classic MNIST MLP.

784 -> 512 relu -> 10 softmax, rmsprop, categorical cross-entropy, batch 128,
model.fit(x, y, epochs=...) on numpy arrays; then evaluate on the test split and
save the model, as a script would. The only addition is an epoch timer (epoch hooks
only, so it costs nothing per batch).

    python benchmarks/plain_keras.py MNIST.npz EPOCHS RESULT.json
"""

import json
import sys
import time

import numpy as np

path, epochs, result_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]

import keras  # noqa: E402  (the import is part of what the script costs)

with np.load(path) as data:
    x_train = data["x_train"].reshape(-1, 784).astype("float32") / 255
    x_test = data["x_test"].reshape(-1, 784).astype("float32") / 255
    y_train = keras.utils.to_categorical(data["y_train"], 10)
    y_test = keras.utils.to_categorical(data["y_test"], 10)

model = keras.Sequential(
    [
        keras.Input(shape=(784,)),
        keras.layers.Dense(512, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ]
)
model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])

epoch_seconds: list[float] = []


class EpochTimer(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        epoch_seconds.append(time.perf_counter() - self.started)


model.fit(x_train, y_train, batch_size=128, epochs=epochs, verbose=0, callbacks=[EpochTimer()])
loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
model.save(result_path + ".model.keras")

with open(result_path, "w", encoding="utf-8") as out:
    json.dump(
        {"epoch_seconds": epoch_seconds, "samples": len(x_train), "test_accuracy": accuracy}, out
    )
