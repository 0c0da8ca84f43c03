"""Stage: the process and the backend under everything that trains or predicts.

Owns the set-up that must happen before Keras is imported (`bootstrap`: the backend
choice, quiet logs, `import_keras`), every direct use of TensorFlow or JAX (`backend`:
devices, seeds, distributed jobs, memory), the speed settings and the measured XLA policy
(`speed`, `speed_policy`) and feeding arrays or streamed batches into `fit` (`feeding`).
"""
