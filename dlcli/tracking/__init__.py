"""Experiment tracking around a run: MLflow, and the like (TensorBoard logs are written
by the run itself: dlcli.training.tensorboard_logs).

One small interface (a tracker observes a run's start, each epoch and its end) with one
module per backend, so a further tracker is one new module. Sits between `dlcli.api`,
which wires trackers into a training or a comparison, and the stages below, which know
nothing of any tracker: the runner only calls the observers it is handed.
"""
