"""dlcli's callbacks are Keras callbacks once made, without Keras at their import."""

from __future__ import annotations

import numpy as np

from dlcli.runtime.bootstrap import import_keras
from dlcli.runtime.callback_base import KerasCallback


class Counting(KerasCallback):
    def __init__(self, start: int):
        super().__init__()
        self.epochs = start

    def on_epoch_end(self, epoch, logs=None):
        self.epochs += 1
        self.weights_seen = len(self.model.get_weights())


class Louder(Counting):
    pass


def test_an_instance_is_a_keras_callback_and_of_its_own_class():
    keras = import_keras()
    made = Louder(3)
    assert isinstance(made, keras.callbacks.Callback)
    assert isinstance(made, Louder) and isinstance(made, Counting)
    assert type(made).__name__ == "Louder" and made.epochs == 3
    assert type(Louder(0)) is type(made)  # rebuilt once per class


def test_keras_calls_it_during_fit_with_the_model_set():
    keras = import_keras()
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer="sgd")
    counter = Counting(0)
    model.fit(np.zeros((4, 2)), np.zeros((4, 1)), epochs=2, verbose=0, callbacks=[counter])
    assert counter.epochs == 2 and counter.weights_seen == 2
