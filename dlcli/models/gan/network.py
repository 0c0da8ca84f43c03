"""The GAN as a Keras model: a generator and a discriminator, one adversarial step.

The standard adversarial step (Goodfellow et al. 2014, in the non-saturating form Keras's
DCGAN example uses): the discriminator learns to tell real samples (label 1) from
generated ones (label 0); the generator learns to make the discriminator say 1. Both
losses are logged per epoch (`d_loss`, `g_loss`). The noise generator's state is saved
with the weights, so a resumed run draws the noise an uninterrupted one would.
"""

from __future__ import annotations

from dlcli.config.model_schema import ModelConfig
from dlcli.config.schema import CompileConfig
from dlcli.errors import ModelError, first_line

NOISE_STATE = "noise_seed"  # the noise generator's state, among the GAN's own saved variables
REAL_LABEL = 0.9  # the discriminator's target for real samples (one-sided smoothing)


def build_gan(model_cfg: ModelConfig):
    from dlcli.models.stack import build_stack

    assert model_cfg.generator is not None and model_cfg.discriminator is not None
    generator = build_stack(model_cfg.generator, [model_cfg.latent_dim], model_cfg.activation,
                            key="generator", name="generator")  # fmt: skip
    made = list(generator.output_shape[1:])
    if made != list(model_cfg.input_shape):
        raise ModelError(
            f"model.generator: its last layer makes samples of shape {made}, but the real "
            f"samples (model.input_shape) are {model_cfg.input_shape}; end it with e.g. "
            f"Reshape: {{target_shape: {model_cfg.input_shape}}}",
            key=("model", "generator"),
        )
    discriminator = build_stack(model_cfg.discriminator, model_cfg.input_shape,
                                model_cfg.activation, key="discriminator",
                                name="discriminator")  # fmt: skip
    if list(discriminator.output_shape[1:]) != [1]:
        raise ModelError(
            f"model.discriminator: must end in one unit (a real-vs-generated logit), not "
            f"{list(discriminator.output_shape[1:])}: end it with Dense: {{units: 1}}",
            key=("model", "discriminator"),
        )
    return _gan_class()(generator, discriminator, model_cfg.latent_dim)


def _gan_class():
    import keras

    class GAN(keras.Model):
        def __init__(self, generator, discriminator, latent_dim: int, **kwargs):
            super().__init__(name="gan", **kwargs)
            self.generator, self.discriminator = generator, discriminator
            self.latent_dim = latent_dim
            self.noise_seed = keras.random.SeedGenerator(1337)
            self.bce = keras.losses.BinaryCrossentropy(from_logits=True)
            self.d_tracker = keras.metrics.Mean(name="d_loss")
            self.g_tracker = keras.metrics.Mean(name="g_loss")
            self.built = True  # both networks are built: save_weights may run at once

        @property
        def metrics(self):
            return [self.d_tracker, self.g_tracker]

        def compile(self, d_optimizer, g_optimizer, **kwargs):
            super().compile(**kwargs)
            self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer

        def build_optimizers(self) -> None:
            _build_optimizers(self)

        def save_own_variables(self, store):
            super().save_own_variables(store)
            store[NOISE_STATE] = self.noise_seed.state  # Keras saves no seed generator's

        def load_own_variables(self, store):
            super().load_own_variables(_restore_noise(self, store))

        def call(self, noise, training=False):
            return self.generator(noise, training=training)

        def train_step(self, data):
            return _train_step(self, data[0] if isinstance(data, tuple) else data)

        def test_step(self, data):
            return _test_step(self, data[0] if isinstance(data, tuple) else data)

    return GAN


def _build_optimizers(gan) -> None:
    """Create both optimizers' state before a checkpoint is loaded into it: Keras skips,
    with only a warning, the saved state of an optimizer not yet built."""
    for optimizer, network in ((gan.d_optimizer, gan.discriminator),
                               (gan.g_optimizer, gan.generator)):  # fmt: skip
        if not optimizer.built:
            optimizer.build(network.trainable_variables)


def _restore_noise(gan, store):
    """Put the noise generator where the saved run left it, so a resumed run draws the
    noise an uninterrupted one would; the rest of `store` is the GAN's own variables.
    `store` is an H5 entry, not a dict: only .keys() tells what it holds."""
    keys = list(store.keys())
    if NOISE_STATE not in keys:  # weights saved before the noise state was kept
        return store
    gan.noise_seed.state.assign(store[NOISE_STATE])
    return {key: store[key] for key in keys if key != NOISE_STATE}


def _noise(gan, real):
    import keras
    import tensorflow as tf

    return keras.random.normal((tf.shape(real)[0], gan.latent_dim), seed=gan.noise_seed)


def _d_loss(gan, real, fake, training: bool):
    import tensorflow as tf

    real_logits = gan.discriminator(real, training=training)
    fake_logits = gan.discriminator(fake, training=training)
    # One-sided label smoothing (Salimans et al. 2016): real is 0.9, not 1, so the
    # discriminator cannot grow so sure that its gradient stops teaching.
    real_target = tf.fill(tf.shape(real_logits), REAL_LABEL)
    return gan.bce(real_target, real_logits) + gan.bce(tf.zeros_like(fake_logits), fake_logits)


def _train_step(gan, real):
    """One adversarial step: the discriminator on real vs generated, then the generator
    to make the discriminator say "real". The labels, if any, are not used."""
    import tensorflow as tf

    fake = gan.generator(_noise(gan, real), training=True)
    with tf.GradientTape() as tape:
        d_loss = _d_loss(gan, real, fake, training=True)
    weights = gan.discriminator.trainable_weights
    gan.d_optimizer.apply_gradients(zip(tape.gradient(d_loss, weights), weights, strict=True))
    with tf.GradientTape() as tape:
        fake = gan.generator(_noise(gan, real), training=True)
        logits = gan.discriminator(fake, training=True)
        g_loss = gan.bce(tf.ones_like(logits), logits)
    weights = gan.generator.trainable_weights
    gan.g_optimizer.apply_gradients(zip(tape.gradient(g_loss, weights), weights, strict=True))
    gan.d_tracker.update_state(d_loss)
    gan.g_tracker.update_state(g_loss)
    return {m.name: m.result() for m in gan.metrics}


def _test_step(gan, real):
    import tensorflow as tf

    fake = gan.generator(_noise(gan, real), training=False)
    logits = gan.discriminator(fake, training=False)
    gan.d_tracker.update_state(_d_loss(gan, real, fake, training=False))
    gan.g_tracker.update_state(gan.bce(tf.ones_like(logits), logits))
    return {m.name: m.result() for m in gan.metrics}


def compile_gan(model, compile_cfg: CompileConfig, steps_per_execution: int = 1) -> None:
    """Two optimizers of the configured kind and settings, one per network."""
    import keras

    try:
        d_opt, g_opt = (keras.optimizers.get(compile_cfg.optimizer.keras_config())
                        for _ in range(2))  # fmt: skip
    except (ValueError, TypeError) as error:
        raise ModelError(f"compile: {first_line(error)}") from None
    model.compile(d_optimizer=d_opt, g_optimizer=g_opt, jit_compile=False,
                  steps_per_execution=steps_per_execution)  # fmt: skip
