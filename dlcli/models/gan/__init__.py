"""`model.kind: gan`: a generator and a discriminator trained against each other.

`network` is the Keras model and its adversarial step, `samples` what it makes (the
per-epoch sample grid under plots/, the samples `dlcli predict RUN N` draws), and `kind`
the model kind that tells the rest of dlcli how a GAN differs: two optimizers and no
XLA, both networks saved (model.keras is the generator alone, what predict samples
from; discriminator.keras beside it), no labels to check or score, d_loss and g_loss
logged, TensorFlow only.
"""
